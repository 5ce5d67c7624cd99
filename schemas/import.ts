// The import form (POST /dashboard/import, multipart). Its selects' choices are importChoices.ts's.
import { z } from 'zod'
import { UUID_RE } from './vault.js'
import { FOLDER_MODES, IMPORT_FORMATS, type ImportFormatChoice } from './importChoices.js'

/** 5 MB (SPEC 6): the multipart parser stops reading beyond this and the request gets 413. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024

const formatValues = IMPORT_FORMATS.map((f) => f.value) as [ImportFormatChoice, ...ImportFormatChoice[]]
type FolderMode = (typeof FOLDER_MODES)[number]['value']
const folderModes = FOLDER_MODES.map((m) => m.value) as [FolderMode, ...FolderMode[]]

export const importSchema = z.object({
  format: z.enum(formatValues, { error: 'Choose the format of the file.' }).default('detect'),
  folder_id: z
    .string({ error: 'Choose a folder.' })
    .trim()
    .regex(UUID_RE, 'Choose a folder.')
    .transform((id) => id.toLowerCase()),
  folders: z.enum(folderModes, { error: 'Choose where the items go.' }).default('keep'),
})

export type ImportInput = z.infer<typeof importSchema>
