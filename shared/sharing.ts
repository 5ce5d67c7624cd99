// Wording and dates shared by the sharing pages (server and browser alike: the same text at
// hydration, so dates are formatted in UTC, never in the browser's time zone).
import type { Permission } from './contract'

export const PERMISSION_LABEL: Record<Permission, string> = { view: 'Can view', edit: 'Can edit' }
export const PERMISSION_OPTIONS = Object.entries(PERMISSION_LABEL).map(([value, label]) => ({ value, label }))

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' })
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/** "2 Dec 2026" */
export const formatDay = (iso: string) => dateFormat.format(new Date(iso))
/** "9 Dec 2026, 15:43 UTC" */
export const formatDayTime = (iso: string) => `${dateTimeFormat.format(new Date(iso))} UTC`

export const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`
