// An item's tile: its initial on a colour taken from its name (the same name, the same colour, on
// every page and after hydration), so neighbouring rows are told apart at a glance.
const HUES = 8 // --tile-0 … --tile-7 in renderer/tokens.css

/** FNV-1a over the name's UTF-16 code units: cheap, stable, and spreads similar names apart. */
function hueOf(key: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % HUES
}

/** The tile's letter and colour class (`h0` … `h7`, or `hx` for an unreadable item). */
export function tileOf(name: string, unreadable = false): { initial: string; hue: string } {
  if (unreadable) return { initial: '!', hue: 'hx' }
  const key = name.trim().toLowerCase()
  return { initial: (Array.from(key)[0] ?? '?').toUpperCase(), hue: `h${hueOf(key)}` }
}
