import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { CHUNK_BYTES, createUploadSealer, openChunk, sanitizeFileName } from './attachmentCrypto.js'
import { DecryptionError } from '../lib/crypto.js'

describe('sanitizeFileName', () => {
  it('keeps the last path part, drops controls and bidi characters, refuses what leaves nothing', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFileName('C:\\Users\\me\\scan.pdf')).toBe('scan.pdf')
    expect(sanitizeFileName('evil\u202Efdp.exe')).toBe('evilfdp.exe')
    expect(sanitizeFileName('a\u0000b\u001f\u007fc\u0085.txt')).toBe('abc.txt')
    expect(sanitizeFileName('  résumé é.pdf  ')).toBe('résumé é.pdf')
    for (const bad of ['', '..', '.', 'dir/', '\u0001', '\u2066\u2069', ' ']) expect(sanitizeFileName(bad)).toBe('')
    expect(sanitizeFileName('\uD800x.txt')).toBe('\uFFFDx.txt')
  })

  it('shortens a long name to 200 characters, keeping its extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(300)}.tar.gz`)
    expect([...name]).toHaveLength(200)
    expect(name.endsWith('.gz')).toBe(true)
  })
})

describe('createUploadSealer', () => {
  it('seals 64 KiB chunks, the last one final, however the bytes arrive', () => {
    for (const size of [1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES]) {
      const data = randomBytes(size)
      const sealer = createUploadSealer(10 * CHUNK_BYTES)
      for (let i = 0; i < size; i += 1000) expect(sealer.write(data.subarray(i, i + 1000))).toBe(true)
      const { id, fileKey, chunks, size: total } = sealer.finish()
      expect(total).toBe(size)
      expect(chunks).toHaveLength(Math.ceil(size / CHUNK_BYTES))
      const opened = chunks.map((c, seq) => openChunk(fileKey, id, seq, seq === chunks.length - 1, c))
      expect(Buffer.concat(opened).equals(data)).toBe(true)
      // Truncated (the new last chunk was not sealed as final) or reordered: refused.
      if (chunks.length > 1) {
        expect(() => openChunk(fileKey, id, 0, true, chunks[0]!)).toThrow(DecryptionError)
        expect(() => openChunk(fileKey, id, 0, false, chunks[1]!)).toThrow(DecryptionError)
      }
    }
  })

  it('stops at the limit', () => {
    const sealer = createUploadSealer(100)
    expect(sealer.write(Buffer.alloc(100))).toBe(true)
    expect(sealer.write(Buffer.alloc(1))).toBe(false)
  })
})
