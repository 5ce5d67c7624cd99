// Settings is five pages under one sub-navigation (ADR 022). Each action answers on its section's
// page: a 303 there on success, the page re-rendered with the errors (422) otherwise. Read by the
// routes and the pages' shell; no zod here, so the pages' bundle does not carry it.
export const SETTINGS_PAGES = {
  account: '/dashboard/settings',
  appearance: '/dashboard/settings/appearance',
  security: '/dashboard/settings/security',
  devices: '/dashboard/settings/devices',
  data: '/dashboard/settings/data',
} as const
export type SettingsSection = keyof typeof SETTINGS_PAGES

