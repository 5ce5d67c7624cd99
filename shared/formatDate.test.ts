import { describe, expect, it } from 'vitest'
import { dayNumber, formatDay, formatDayTime, isTimeZone, zoneOf } from './formatDate'
import { dayText, toListRows } from './vaultList'

// 02:30 UTC on 6 Dec 2026: still the 5th in New York, the 6th in Tokyo.
const T = new Date('2026-12-06T02:30:00Z')

describe('formatDate', () => {
  it('writes a date in the given zone and names the zone', () => {
    expect(formatDay(T, 'UTC')).toBe('6 Dec 2026')
    expect(formatDay(T, 'America/New_York')).toBe('5 Dec 2026')
    expect(formatDayTime(T, 'UTC')).toBe('6 Dec 2026, 02:30 UTC')
    expect(formatDayTime(T, 'Asia/Tokyo')).toBe('6 Dec 2026, 11:30 Asia/Tokyo')
    expect(formatDayTime(T.toISOString(), 'America/New_York')).toBe('5 Dec 2026, 21:30 America/New_York')
  })

  it('falls back to UTC for a zone the runtime does not know, never throwing', () => {
    expect(formatDay(T, 'Mars/Olympus')).toBe('6 Dec 2026')
  })

  it('knows IANA zones and UTC, and nothing else', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    for (const bad of ['', 'Mars/Olympus', 'europe/paris<script>', 42, null, 'x'.repeat(65)]) expect(isTimeZone(bad)).toBe(false)
    expect(zoneOf(null)).toBe('UTC')
    expect(zoneOf({ timeZone: null })).toBe('UTC')
    expect(zoneOf({ timeZone: 'Asia/Tokyo' })).toBe('Asia/Tokyo')
  })

  it("a list row's day is its calendar day in the viewer's zone, across a DST change too", () => {
    expect(dayText(dayNumber(T, 'UTC')).text).toBe('6 Dec 2026')
    expect(dayText(dayNumber(T, 'America/New_York')).text).toBe('5 Dec 2026')
    expect(dayText(dayNumber(T, 'Asia/Tokyo')).iso).toBe('2026-12-06')
    // 29 Mar 2026 01:30 UTC is 03:30 CEST in Paris (the clocks went forward at 01:00 UTC).
    expect(dayText(dayNumber(new Date('2026-03-28T23:30:00Z'), 'Europe/Paris')).text).toBe('29 Mar 2026')
    const row = { id: 'a', name: 'n', username: '', host: '', folderId: 'f', updatedAt: T, weak: false, reused: false, unreadable: false }
    expect(toListRows([row], [{ id: 'f' }], 'America/New_York')[0]![5]).toBe(dayNumber(T, 'America/New_York'))
    expect(toListRows([row], [{ id: 'f' }])[0]![5]).toBe(Math.floor(T.getTime() / 86_400_000))
  })
})
