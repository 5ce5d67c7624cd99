// The import form (POST /dashboard/import, multipart). Isomorphic: the page builds its selects
// from these lists; the server parses the fields again with the same schema.
import { z } from 'zod'
import { UUID_RE } from './vault.js'

/** 5 MB (SPEC 6): the multipart parser stops reading beyond this and the request gets 413. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024

/** What the format select offers, in order. NucleusID's own export uses Bitwarden's layout. */
export const IMPORT_FORMATS = [
  { value: 'detect', label: 'Detect from the file' },
  { value: 'nucleusid', label: 'NucleusID' },
  { value: 'bitwarden', label: 'Bitwarden' },
  { value: 'chrome', label: 'Chrome, Chromium or Edge' },
  { value: 'firefox', label: 'Firefox' },
  { value: 'lastpass', label: 'LastPass' },
  { value: 'keepassxc', label: 'KeePassXC' },
  { value: '1password', label: '1Password 8' },
] as const

export type ImportFormatChoice = (typeof IMPORT_FORMATS)[number]['value']

/** keep: the file's folder column picks (or creates) folders; single: everything into folder_id. */
export const FOLDER_MODES = [
  { value: 'keep', label: 'Keep the folders from the file' },
  { value: 'single', label: 'Put everything into the chosen folder' },
] as const

const formatValues = IMPORT_FORMATS.map((f) => f.value) as [ImportFormatChoice, ...ImportFormatChoice[]]

export const importSchema = z.object({
  format: z.enum(formatValues, { error: 'Choose the format of the file.' }).default('detect'),
  folder_id: z
    .string({ error: 'Choose a folder.' })
    .trim()
    .regex(UUID_RE, 'Choose a folder.')
    .transform((id) => id.toLowerCase()),
  folders: z.enum(['keep', 'single'], { error: 'Choose where the items go.' }).default('keep'),
})

export type ImportInput = z.infer<typeof importSchema>
