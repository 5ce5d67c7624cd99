// Reading an uploaded export into what the importer writes: decoding, parsing, mapping and the
// validation of every row (docs/decisions/016). CPU only, on the attacker's text: it runs on the
// import worker thread (parsePool.ts, parseWorker.mjs), never on the event loop, and answers with
// plain data (errors do not keep their class across threads): a ValidationError of the file
// becomes { ok: false, message }. Never logs what it reads.
import { ValidationError } from '../../lib/errors.js'
import { folderSchema, itemFieldsSchema } from '../../../schemas/vault.js'
import type { ImportFormat, ImportFormatChoice, ImportResult, ItemFields } from '../types.js'
import { decodeCsv, parseExport } from './formats.js'

/** A row to import: its validated fields, and the folder the file names for it (keep mode). */
export interface ReadCandidate {
  line: number
  fields: ItemFields
  folderName: string | null
}

export type ReadOutcome =
  | { ok: true; format: ImportFormat; skipped: ImportResult['skipped']; candidates: ReadCandidate[] }
  | { ok: false; message: string }

export interface ReadTask {
  bytes: Uint8Array
  format: ImportFormatChoice
  keepFolders: boolean
}

export function readImport({ bytes, format: choice, keepFolders }: ReadTask): ReadOutcome {
  try {
    const { format, rows } = parseExport(decodeCsv(bytes), choice)
    const skipped: ImportResult['skipped'] = []
    const candidates: ReadCandidate[] = []
    for (const row of rows) {
      if (row.kind === 'skip') {
        skipped.push({ line: row.line, name: row.name, reason: row.reason })
        continue
      }
      const parsed = itemFieldsSchema.safeParse(row)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        const field = String(issue.path[0] ?? '')
        const hint = field === 'note' ? ' (the note includes the fields that have no place of their own)' : ''
        return { ok: false, message: `Line ${row.line}: ${issue.message.replace(/\.$/, '')}${hint}. Nothing was imported.` }
      }
      let folderName: string | null = null
      if (keepFolders && row.folder) {
        const folder = folderSchema.safeParse({ name: row.folder })
        if (!folder.success) return { ok: false, message: `Line ${row.line}: the folder name is not valid here: ${folder.error.issues[0]!.message} Nothing was imported.` }
        folderName = folder.data.name
      }
      const { name, username, password, url, note } = parsed.data
      candidates.push({ line: row.line, fields: { name, username, password, url, note }, folderName })
    }
    return { ok: true, format, skipped, candidates }
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, message: e.fields.file ?? e.message }
    throw e
  }
}
