// Vault forms: folders and items (SPEC sections 3 and 4). Isomorphic: no server imports; the
// server is the authority (the services parse again with the same schemas).
import { z } from 'zod'
import { multiLine, singleLine } from './text.js'

export const FOLDER_NAME_MAX = 64
export const ITEM_LIMITS = { name: 200, username: 200, password: 1000, url: 2048, note: 10_000 } as const

/** Any hyphenated UUID (what PostgreSQL's uuid type stores), whatever its version. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const FOLDER_NAME_MESSAGE = `Folder names are 1 to ${FOLDER_NAME_MAX} characters.`

// A UUID has no room for odd characters: the regex alone refuses them, with the same message.
const folderId = z
  .string({ error: 'Choose a folder.' })
  .trim()
  .regex(UUID_RE, 'Choose a folder.')
  .transform((id) => id.toLowerCase())

/** An optional text field: missing (an empty form field may be left out) means ''. */
const optionalText = (max: number, message: string, lines: typeof singleLine = singleLine) =>
  lines(z.string({ error: message }).max(max, message)).default('')

export const folderSchema = z.object({
  name: singleLine(
    z
      .string({ error: FOLDER_NAME_MESSAGE })
      .trim()
      .min(1, FOLDER_NAME_MESSAGE)
      .max(FOLDER_NAME_MAX, FOLDER_NAME_MESSAGE),
  ),
})

/** The five secret fields of an item (what is encrypted). */
export const itemFieldsSchema = z.object({
  name: singleLine(
    z
      .string({ error: 'Enter a name for this item.' })
      .trim()
      .min(1, 'Enter a name for this item.')
      .max(ITEM_LIMITS.name, `Names are at most ${ITEM_LIMITS.name} characters.`),
  ),
  username: optionalText(ITEM_LIMITS.username, `Usernames are at most ${ITEM_LIMITS.username} characters.`),
  password: optionalText(ITEM_LIMITS.password, 'Passwords are at most 1,000 characters.'),
  url: optionalText(ITEM_LIMITS.url, 'Web addresses are at most 2,048 characters.'),
  note: optionalText(ITEM_LIMITS.note, 'Notes are at most 10,000 characters.', multiLine),
})

/** POST /dashboard/items and POST /dashboard/items/:id (the folder_id of an update is ignored). */
export const itemSchema = itemFieldsSchema.extend({ folder_id: folderId })

/** POST /dashboard/items/:id/move */
export const moveSchema = z.object({ folder_id: folderId })

export type FolderInput = z.infer<typeof folderSchema>
export type ItemFieldsInput = z.infer<typeof itemFieldsSchema>
export type ItemInput = z.infer<typeof itemSchema>
export type MoveInput = z.infer<typeof moveSchema>
