// The list's bulk form and the star form (issue 21, SPEC 3b). Isomorphic: no server imports.
import { z } from 'zod'
import { BULK_ACTIONS } from '../shared/contract.js'
import { UUID_RE } from './vault.js'

/** At most one page of the list (the page size): a bigger form is refused whole (413). */
export const BULK_MAX_IDS = 100

/**
 * The `ids` of a form as the body parser gives them: one string, an array, or (qs turns more than
 * 20 repeated keys into one) an object of them. Anything that is not a string is kept as '' (a
 * malformed id, reported as gone).
 */
export function formIds(raw: unknown): string[] {
  if (raw === undefined || raw === null) return []
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : typeof raw === 'object' ? Object.values(raw) : [raw]
  return values.map((v) => (typeof v === 'string' ? v : ''))
}

export const bulkSchema = z
  .object({
    bulk_action: z.enum(BULK_ACTIONS, { error: 'Choose what to do with the selected items.' }),
    folder_id: z.string().trim().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.bulk_action === 'move' && !UUID_RE.test(v.folder_id ?? '')) ctx.addIssue({ code: 'custom', path: ['folder_id'], message: 'Choose a folder to move the items to.' })
  })

export const favouriteSchema = z.object({
  favourite: z.enum(['1', '0'], { error: 'Say whether to star or unstar.' }),
})
