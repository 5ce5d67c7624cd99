// What the export form's format choice offers (issue 23; schemas/export.ts accepts exactly these
// values). Apart from the schema so that the settings page ships without zod.

/** CSV, Bitwarden's layout (the default, as before issue 23), or Bitwarden's unencrypted JSON, the lossless one (ADR 034). */
export const EXPORT_FORMATS = [
  { value: 'csv', label: 'CSV (Bitwarden’s layout; most password managers read it)' },
  { value: 'json', label: 'JSON (Bitwarden’s unencrypted layout; keeps everything)' },
] as const

export type ExportFormat = (typeof EXPORT_FORMATS)[number]['value']
