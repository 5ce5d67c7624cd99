// Attachments (issue 23, SPEC 3b, ADR 033): upload (multipart `file`), download, delete. Plain forms
// that post and redirect with a flash; an upload refused re-renders the item page with the message
// next to the file field (413 too large, 422 empty, unnamed, over the quota, or no file). Checks,
// locking and sealing live in the attachments service.
import Router from '@koa/router'
import multer from '@koa/multer'
import type { Context } from 'koa'
import { MulterError, type StorageEngine } from 'multer'
import { AppError, RateLimitedError, ValidationError, isClientAbort } from '../lib/errors.js'
import { verifyCsrf } from '../middleware/csrfProtect.js'
import { wantsJson } from '../middleware/errors.js'
import { ensureSessionAlive } from '../session/lifecycle.js'
import { SessionEndedError } from '../session/store.js'
import { formatBytes, tooLargeError } from '../services/attachments.js'
import { wellFormed, type UploadSealer } from '../services/attachmentCrypto.js'
import { redirectTo } from './respond.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

/** Room for the multipart envelope and the few small fields around the file. */
const ENVELOPE_BYTES = 64 * 1024
const NO_FILE = 'Choose a file to attach.'
const BAD_NAME = 'The name of this file has characters that cannot be sent. Rename it and upload it again.'

/**
 * `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 with RFC 5987): the
 * plain form for old clients (anything outside printable ASCII, quotes and backslashes as _), the
 * exact name for every current browser.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  const encoded = encodeURIComponent(wellFormed(name)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/**
 * A multer storage engine that seals the file as it streams in (nothing on disk, the file held
 * once, sealed). Past `maxBytes` it calls `onTooLarge` at once, without waiting for the rest of the
 * body, and throws the rest away.
 */
function sealingStorage(sealer: UploadSealer, onTooLarge: () => void) {
  let name = ''
  return {
    name: () => name,
    engine: {
      _handleFile(_req, file, cb) {
        name = file.originalname
        let over = false
        file.stream.on('data', (data: Buffer) => {
          if (over) return
          if (!sealer.write(data)) {
            over = true
            onTooLarge()
          }
        })
        file.stream.on('error', (e: unknown) => cb(e))
        file.stream.on('end', () => cb(null, { size: sealer.size }))
      },
      _removeFile(_req, _file, cb) {
        cb(null) // nothing was stored: the sealed chunks are in memory and go with the request
      },
    } satisfies StorageEngine as StorageEngine,
  }
}

export function attachmentRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard/items/:id/attachments' })
  const attachments = () => deps.services.attachments
  const itemPage = (ctx: Context) => `/dashboard/items/${ctx.params.id}`

  /** The item page again with the message next to the file field (or JSON): nothing was stored. */
  async function refuse(ctx: Context, status: number, message: string) {
    if (wantsJson(ctx)) {
      ctx.status = status
      ctx.body = { ok: false, errors: { file: message }, message }
      return
    }
    await render(ctx, itemPage(ctx), { status, form: { action: ctx.path, values: {}, errors: { file: message }, message } })
  }

  router.post('/', requireUser, async (ctx) => {
    const viewer = viewerOf(ctx)
    const { maxBytes } = attachments().limits
    try {
      if (!ctx.is('multipart')) throw new ValidationError({ file: NO_FILE })
      // A body announced as too large is refused before reading any of it; the connection closes
      // rather than take in the rest.
      if (Number(ctx.get('content-length')) > maxBytes + ENVELOPE_BYTES) throw tooLargeError(maxBytes)
      // Spent before any of the body is taken in (SPEC 4: a point before the work it guards).
      await deps.rateLimits.spend('uploads', viewer.userId)
      // 404 / 403 before the body is read: a stranger's or a view member's file is never taken in.
      const { itemId, sealer } = await attachments().beginUpload(viewer, ctx.params.id!)
      let tooLarge!: () => void
      const overLimit = new Promise<never>((_, reject) => (tooLarge = () => reject(tooLargeError(maxBytes))))
      const storage = sealingStorage(sealer, () => tooLarge())
      const parsing = multer({
        storage: storage.engine,
        // Browsers send the file name as raw UTF-8; busboy's default would read it as Latin-1.
        defParamCharset: 'utf8',
        // One file and the token: anything more is not this form.
        limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: 1024, parts: 6 },
      }).single('file')(ctx, async () => {})
      parsing.catch(() => {}) // when the size limit answered first, multer settles later (after the connection closes)
      try {
        await Promise.race([parsing, overLimit])
      } catch (e) {
        if (e instanceof AppError || isClientAbort(e)) throw e
        if (e instanceof MulterError) {
          if (e.code === 'LIMIT_FILE_SIZE') throw tooLargeError(maxBytes)
          throw new AppError(400, 'That upload is not the attachment form.')
        }
        // busboy refuses control characters (other than tab) in a part's headers, the file name's
        // included, which a file on disk may well have: the user is told what to do about it.
        if (e instanceof Error && e.message === 'Malformed part header') throw new ValidationError({ file: BAD_NAME })
        throw new AppError(400, 'That upload could not be read. Try again.')
      }
      // The session may have ended while the body was in flight (app.ts step 10b): then nothing is written.
      if (!(await ensureSessionAlive(ctx, deps))) throw new SessionEndedError()
      verifyCsrf(deps.csrf, ctx)
      if (!(ctx as Context & { file?: unknown }).file) throw new ValidationError({ file: NO_FILE })
      const { size } = await attachments().finishUpload(viewer, itemId, sealer, storage.name())
      // The flash names no file: it is signed, not encrypted, and the name is item content.
      redirectTo(ctx, deps, `${itemPage(ctx)}#attachments`, { type: 'success', message: `File attached (${formatBytes(size)}).` })
    } catch (e) {
      // Refused before reading the body: the rest of it is not wanted either.
      if (e instanceof RateLimitedError) ctx.set('Connection', 'close')
      if (e instanceof AppError && e.status === 413) {
        // Whatever is still on its way is not wanted: the socket closes after this answer.
        ctx.set('Connection', 'close')
        return refuse(ctx, 413, e.message)
      }
      if (e instanceof ValidationError) return refuse(ctx, 422, e.fields.file ?? e.message)
      throw e
    }
  })

  router.get('/:attachmentId', requireUser, async (ctx) => {
    const { name, size, body } = await attachments().openAttachment(viewerOf(ctx), ctx.params.id!, ctx.params.attachmentId!)
    ctx.status = 200
    // Never rendered by the browser, whatever the bytes claim to be; never kept by a cache.
    ctx.set('Content-Type', 'application/octet-stream')
    ctx.set('Content-Disposition', contentDisposition(name))
    ctx.set('X-Content-Type-Options', 'nosniff')
    ctx.set('Cache-Control', 'no-store')
    ctx.length = size
    body.on('error', (err) => ctx.state.log.warn({ error: (err as Error).message }, 'attachment download ended early'))
    ctx.body = body
  })

  router.post('/:attachmentId/delete', requireUser, async (ctx) => {
    await attachments().deleteAttachment(viewerOf(ctx), ctx.params.id!, ctx.params.attachmentId!)
    redirectTo(ctx, deps, `${itemPage(ctx)}#attachments`, { type: 'success', message: 'Attachment deleted.' })
  })

  return router
}

