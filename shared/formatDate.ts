// The one place dates become text. Every date is written in the viewer's time zone (the session
// user's `timeZone`, kept with the user: detected by the browser at login or chosen in settings),
// UTC for anonymous visitors or until one is known. The server and the browser get the same zone
// from the page context, so the text is the same on both sides (no hydration mismatch).

export const DEFAULT_TIME_ZONE = 'UTC'

/** An IANA zone name this runtime knows ("Europe/Paris"), or "UTC". */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false
  if (zone === 'UTC') return true
  return Intl.supportedValuesOf('timeZone').includes(zone)
}

/** The zone a page writes dates in: the user's, else UTC. */
export const zoneOf = (user: { timeZone?: string | null } | null | undefined): string => user?.timeZone || DEFAULT_TIME_ZONE

const formats = new Map<string, Intl.DateTimeFormat>()
function format(zone: string, kind: 'day' | 'dayTime'): Intl.DateTimeFormat {
  const key = `${kind} ${zone}`
  let f = formats.get(key)
  if (!f) {
    let timeZone = zone
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone })
    } catch {
      timeZone = DEFAULT_TIME_ZONE // a zone this runtime does not know: UTC, never an exception
    }
    f = new Intl.DateTimeFormat('en-GB', kind === 'day' ? { dateStyle: 'medium', timeZone } : { dateStyle: 'medium', timeStyle: 'short', timeZone })
    formats.set(key, f)
  }
  return f
}

const toDate = (d: Date | string | number) => (d instanceof Date ? d : new Date(d))

/** "2 Dec 2026" in `zone`. */
export const formatDay = (d: Date | string | number, zone: string) => format(zone, 'day').format(toDate(d))

/** "9 Dec 2026, 15:43 UTC" / "9 Dec 2026, 16:43 Europe/Paris": the zone is named, so the time is never ambiguous. */
export const formatDayTime = (d: Date | string | number, zone: string) => `${format(zone, 'dayTime').format(toDate(d))} ${zone}`

const offsets = new Map<string, number>()
/** The zone's offset from UTC in ms at time `t` (cached per zone and hour: offsets change on the hour at most). */
function offsetAt(t: number, zone: string): number {
  if (zone === DEFAULT_TIME_ZONE) return 0
  const key = `${zone} ${Math.floor(t / 3_600_000)}`
  let off = offsets.get(key)
  if (off === undefined) {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(t)
        .map((x) => [x.type, Number(x.value)]),
    )
    off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000
    if (offsets.size >= 10_000) offsets.clear()
    offsets.set(key, off)
  }
  return off
}

/** The calendar day of `d` in `zone`, as whole days since 1970-01-01 (list rows carry days, not times). */
export const dayNumber = (d: Date, zone: string) => Math.floor((d.getTime() + offsetAt(d.getTime(), zone)) / 86_400_000)
