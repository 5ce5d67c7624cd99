// Reading an uploaded export into what the importer writes: decoding, parsing, mapping and the
// validation of every row (docs/features/import.md). CPU only, on the attacker's text: it runs on the
// import worker thread (parsePool.ts, parseWorker.mjs), never on the event loop, and answers with
// plain data (errors do not keep their class across threads): a ValidationError of the file
// becomes { ok: false, message }. Never logs what it reads.
//
// The answer crosses to the event loop as bytes (JSON lines, moved, not copied): receiving 20,000
// rows as objects costs the receiving thread 0.1–0.2 s in one piece, while lines are decoded
// there a slice at a time (decodeOutcome).
import { ValidationError } from '../../lib/errors.js'
import { folderSchema, itemFieldsSchema } from '../../../schemas/vault.js'
import type { ImportResult, ItemInput } from '../../../shared/contract.js'
import type { ImportFormatChoice } from '../../../schemas/importChoices.js'
import { decodeCsv, parseExport, type ImportFormat } from './formats.js'
import { slicer } from './pace.js'

/** A row to import: its validated fields, and the folder the file names for it (keep mode). */
export interface ReadCandidate {
  line: number
  fields: ItemInput & { totp: string }
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
      const { name, username, password, url, note, totp } = parsed.data
      candidates.push({ line: row.line, fields: { name, username, password, url, note, totp }, folderName })
    }
    return { ok: true, format, skipped, candidates }
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, message: e.fields.file ?? e.message }
    throw e
  }
}

/**
 * The outcome as UTF-8 JSON lines (JSON escapes line breaks inside strings, so a line is a record):
 * ["e", message] alone, or ["f", format] then ["s", line, name, reason] and
 * ["c", line, name, username, password, url, note, folderName, totp] in file order.
 */
export function encodeOutcome(outcome: ReadOutcome): Uint8Array {
  const lines: string[] = []
  if (!outcome.ok) lines.push(JSON.stringify(['e', outcome.message]))
  else {
    lines.push(JSON.stringify(['f', outcome.format]))
    for (const s of outcome.skipped) lines.push(JSON.stringify(['s', s.line, s.name, s.reason]))
    for (const { line, fields: f, folderName } of outcome.candidates) lines.push(JSON.stringify(['c', line, f.name, f.username, f.password, f.url, f.note, folderName, f.totp]))
  }
  return new TextEncoder().encode(lines.join('\n'))
}

/** encodeOutcome read back, on the event loop: a slice of lines at a time. */
export async function decodeOutcome(bytes: Uint8Array): Promise<ReadOutcome> {
  const decoder = new TextDecoder()
  const slice = slicer()
  let format: ImportFormat | null = null
  const skipped: ImportResult['skipped'] = []
  const candidates: ReadCandidate[] = []
  for (let start = 0; start < bytes.length; ) {
    if (slice.due()) await slice.breathe()
    let end = bytes.indexOf(10, start)
    if (end === -1) end = bytes.length
    const record = JSON.parse(decoder.decode(bytes.subarray(start, end))) as [string, ...unknown[]]
    start = end + 1
    if (record[0] === 'e') return { ok: false, message: record[1] as string }
    if (record[0] === 'f') format = record[1] as ImportFormat
    else if (record[0] === 's') {
      const [, line, name, reason] = record as [string, number, string, string]
      skipped.push({ line, name, reason })
    } else {
      const [, line, name, username, password, url, note, folderName, totp] = record as [string, number, string, string, string, string, string, string | null, string]
      candidates.push({ line, fields: { name, username, password, url, note, totp }, folderName })
    }
  }
  if (!format) throw new Error('The import thread answered without a format')
  return { ok: true, format, skipped, candidates }
}
