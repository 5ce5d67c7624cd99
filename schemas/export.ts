// The export form (SPEC 3: POST /dashboard/export, fields `password` and, since issue 23, `format`).
import { z } from 'zod'
import { passwordField } from './settings.js'
import { EXPORT_FORMATS, type ExportFormat } from './exportFormats.js'

const formats = EXPORT_FORMATS.map((f) => f.value) as [ExportFormat, ...ExportFormat[]]

export const exportSchema = z.object({
  password: passwordField('Enter your master password to export your vault.'),
  format: z.enum(formats, { error: 'Choose CSV or JSON.' }).default('csv'),
})
