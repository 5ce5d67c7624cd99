// How one attachment is sealed (ADR 033): a random key per file, the file in chunks of 64 KiB each
// sealed on its own under that key (crypto.ts attachmentChunkAad: id, index, last-or-not), its name
// under the same key, the key itself under the folder key. Pure functions over node:crypto; no
// database, no Koa.
import { randomUUID } from 'node:crypto'
import * as crypto from '../lib/crypto.js'

/** Plaintext bytes per chunk: small enough to stream, large enough that the 29 bytes of each seal cost nothing. */
export const CHUNK_BYTES = 64 * 1024

/** Characters a file name may not keep: C0/C1 controls, and the bidi controls that make "evil‮fdp.exe" read as "evilexe.pdf". */
const UNSAFE_NAME_CHARS = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu
const NAME_MAX = 200

/** Lone UTF-16 surrogates replaced by U+FFFD (String#toWellFormed, which this TypeScript target lacks): encodeURIComponent throws on them. */
export const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')

/**
 * The name a file is kept under: its last path part (both separators: a name from Windows or a
 * crafted "../../x"), without control and bidi characters, trimmed, at most 200 characters
 * (the extension kept). '' when nothing usable is left ("", "..", "/", only controls).
 */
export function sanitizeFileName(raw: string): string {
  const base = wellFormed(raw).normalize('NFC').split(/[/\\]/).pop() ?? ''
  let name = base.replace(UNSAFE_NAME_CHARS, '').trim()
  if (/^\.+$/.test(name)) return ''
  const chars = [...name]
  if (chars.length > NAME_MAX) {
    const dot = name.lastIndexOf('.')
    const ext = dot > 0 ? [...name.slice(dot)] : []
    name = ext.length > 0 && ext.length <= 16 ? chars.slice(0, NAME_MAX - ext.length).join('') + ext.join('') : chars.slice(0, NAME_MAX).join('')
  }
  return name
}

export interface SealedUpload {
  id: string
  fileKey: Buffer
  /** The sealed chunks, in order; the last one sealed as final. */
  chunks: Buffer[]
  size: number
}

/**
 * Seals a file as it streams in: at most two chunks of plaintext are held (the one filling and the
 * one waiting to learn whether it is the last), so the request holds the file once, sealed.
 * `write` returns false once more than `maxBytes` arrived (the caller stops reading).
 */
export function createUploadSealer(maxBytes: number) {
  const id = randomUUID() // before sealing: every chunk's AAD binds it
  const fileKey = crypto.randomKey()
  const chunks: Buffer[] = []
  let filling: Buffer[] = []
  let filled = 0
  let waiting: Buffer | null = null
  let size = 0

  const sealChunk = (plain: Buffer, final: boolean) => chunks.push(crypto.seal(fileKey, plain, crypto.attachmentChunkAad(id, chunks.length, final)))

  function write(data: Buffer): boolean {
    size += data.length
    if (size > maxBytes) return false
    let rest = data
    while (rest.length > 0) {
      const take = Math.min(CHUNK_BYTES - filled, rest.length)
      filling.push(rest.subarray(0, take))
      filled += take
      rest = rest.subarray(take)
      if (filled === CHUNK_BYTES) {
        // A full chunk is the last only if nothing follows: seal the previous one, keep this one waiting.
        if (waiting) sealChunk(waiting, false)
        waiting = Buffer.concat(filling)
        filling = []
        filled = 0
      }
    }
    return true
  }

  function finish(): SealedUpload {
    if (filled > 0) {
      if (waiting) sealChunk(waiting, false)
      sealChunk(Buffer.concat(filling), true)
    } else if (waiting) sealChunk(waiting, true)
    waiting = null
    filling = []
    return { id, fileKey, chunks, size }
  }

  return { id, write, finish, get size() { return size } }
}
export type UploadSealer = ReturnType<typeof createUploadSealer>

export function wrapFileKey(folderKey: Buffer, fileKey: Buffer, ids: { attachmentId: string; itemId: string; folderId: string }): Buffer {
  return crypto.seal(folderKey, fileKey, crypto.attachmentKeyAad(ids.attachmentId, ids.itemId, ids.folderId))
}

/** The file key, or null when it does not open under this folder key (tampered, or sealed under another key). */
export function unwrapFileKey(folderKey: Buffer, wrapped: Buffer, ids: { attachmentId: string; itemId: string; folderId: string }): Buffer | null {
  try {
    return crypto.open(folderKey, wrapped, crypto.attachmentKeyAad(ids.attachmentId, ids.itemId, ids.folderId))
  } catch (e) {
    if (e instanceof crypto.DecryptionError) return null
    throw e
  }
}

export function sealFileName(fileKey: Buffer, attachmentId: string, name: string): Buffer {
  return crypto.seal(fileKey, Buffer.from(name, 'utf8'), crypto.attachmentNameAad(attachmentId))
}

export function openFileName(fileKey: Buffer, attachmentId: string, sealed: Buffer): string | null {
  try {
    return crypto.open(fileKey, sealed, crypto.attachmentNameAad(attachmentId)).toString('utf8')
  } catch (e) {
    if (e instanceof crypto.DecryptionError) return null
    throw e
  }
}

/** Throws DecryptionError when the chunk is not chunk `seq` of this file (or not the last when it should be). */
export function openChunk(fileKey: Buffer, attachmentId: string, seq: number, final: boolean, sealed: Buffer): Buffer {
  return crypto.open(fileKey, sealed, crypto.attachmentChunkAad(attachmentId, seq, final))
}
