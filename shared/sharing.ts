// Wording and dates shared by the sharing pages (server and browser alike: the same text at
// hydration). Dates go through shared/formatDate.ts in the viewer's zone (components/useDates.ts);
// these two keep UTC for a caller that has no zone.
import type { Permission } from './contract'
import { DEFAULT_TIME_ZONE, formatDay as day, formatDayTime as dayTime } from './formatDate'

export const PERMISSION_LABEL: Record<Permission, string> = { view: 'Can view', edit: 'Can edit' }
export const PERMISSION_OPTIONS = Object.entries(PERMISSION_LABEL).map(([value, label]) => ({ value, label }))

/** "2 Dec 2026" */
export const formatDay = (iso: string, zone = DEFAULT_TIME_ZONE) => day(iso, zone)
/** "9 Dec 2026, 15:43 UTC" */
export const formatDayTime = (iso: string, zone = DEFAULT_TIME_ZONE) => dayTime(iso, zone)

export const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`
