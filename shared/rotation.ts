// "Change every N days" (issue 21): the item form's usual periods, and the longest custom one.
// Its own module, not schemas/limits.ts: that one is in every page's chunk, this only in the item form's.
export const ROTATE_PRESETS = [30, 90, 180, 365] as const
export const ROTATE_DAYS_MAX = 3650
