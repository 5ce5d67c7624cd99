// POST /dashboard/import (SPEC 3): a multipart upload of a CSV export. Only a logged-in user's
// body is parsed (at most one file of 5 MB, in memory); the CSRF token is a field of that body,
// so it is checked right after parsing, and the import budget is spent only once it passed. 303 to
// the result page, 422 with the form again. The items land at once; their passwords are scored
// afterwards (ADR 024): the result page shows how far, and its script asks
// GET /dashboard/import/progress for the numbers while they move.
import Router from '@koa/router'
import multer from '@koa/multer'
import type { Context, Next } from 'koa'
import { MulterError } from 'multer'
import { IMPORT_MAX_BYTES, importSchema } from '../../schemas/import.js'
import { AppError, ValidationError, isClientAbort } from '../lib/errors.js'
import { parseForm } from '../lib/validate.js'
import { verifyCsrf } from '../middleware/csrfProtect.js'
import { ensureSessionAlive } from '../session/lifecycle.js'
import { SessionEndedError } from '../session/store.js'
import { formAction, keptValues, redirectTo } from './respond.js'
import { recordOwn } from './activityEvents.js'
import { wantsJson } from '../middleware/errors.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

export const IMPORT_RESULT_PAGE = '/dashboard/import/result'
const TOO_LARGE = 'This file is larger than 5 MB, so nothing was imported. Export fewer items at a time.'

export function importRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard' })
  const upload = multer({
    storage: multer.memoryStorage(),
    // One file and the few form fields: anything more is not this form.
    limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 8, fieldSize: 1024, parts: 10 },
  }).single('file')

  /** Multipart parsing; its failures are the client's: 413 too large, else 400 (never a 500). */
  async function parseUpload(ctx: Context, next: Next) {
    if (!ctx.is('multipart')) throw new ValidationError({ file: 'Choose the CSV file to import.' })
    // A body announced as too large is refused before reading any of it.
    if (Number(ctx.get('content-length')) > IMPORT_MAX_BYTES + 64 * 1024) throw new AppError(413, TOO_LARGE)
    try {
      await upload(ctx, async () => {})
    } catch (e) {
      if (e instanceof MulterError) throw e.code === 'LIMIT_FILE_SIZE' ? new AppError(413, TOO_LARGE) : new AppError(400, 'That upload is not the import form.')
      if (isClientAbort(e)) throw e
      throw new AppError(400, 'That upload could not be read. Try again.')
    }
    // The session may have ended while the body was in flight (as app.ts step 10b checks for
    // other bodies): then nothing is written, not even the import budget below.
    if (!(await ensureSessionAlive(ctx, deps))) throw new SessionEndedError()
    verifyCsrf(deps.csrf, ctx)
    // Spent only now, after the CSRF check: a cross-site post must not use up the user's imports.
    // Still before the work it guards (reading and scoring a file take seconds of CPU).
    await deps.rateLimits.spend('imports', viewerOf(ctx).userId)
    await next()
  }

  /** 413 with the form again and the message next to the file field (a page of its own would
   *  leave the user without the form). The fields after the file were never read. */
  async function refuseTooLarge(ctx: Context) {
    if (wantsJson(ctx)) {
      ctx.status = 413
      ctx.body = { ok: false, errors: { file: TOO_LARGE }, message: TOO_LARGE }
      return
    }
    await render(ctx, '/dashboard/import', { status: 413, form: { action: ctx.path, values: keptValues(ctx.request.body), errors: { file: TOO_LARGE }, message: TOO_LARGE } })
  }

  router.post(
    '/import',
    requireUser,
    formAction(render, () => '/dashboard/import', async (ctx) => {
      try {
        await parseUpload(ctx, () => importFile(ctx))
      } catch (e) {
        if (e instanceof AppError && e.status === 413) return refuseTooLarge(ctx)
        throw e
      }
    }),
  )

  async function importFile(ctx: Context) {
    const input = parseForm(importSchema, ctx.request.body ?? {})
    const file = (ctx as Context & { file?: { buffer: Buffer } }).file
    if (!file) throw new ValidationError({ file: 'Choose the CSV file to import.' })
    const result = await deps.services.importer.importCsv(viewerOf(ctx), {
      bytes: file.buffer,
      format: input.format,
      folderId: input.folder_id,
      keepFolders: input.folders === 'keep',
    })
    await recordOwn(ctx, deps, ctx.state.user!.id, 'import', {
      detail: `${result.imported} ${result.imported === 1 ? 'item' : 'items'}${result.skipped.length ? `, ${result.skipped.length} skipped` : ''}`,
    })
    // No flash: the result page says what happened, in full.
    redirectTo(ctx, deps, IMPORT_RESULT_PAGE)
  }

  /** How many of the last import's passwords are checked: `{ checked, unscored }`, or 404 when there is none. */
  router.get('/import/progress', requireUser, async (ctx) => {
    const progress = await deps.services.importer.progress(viewerOf(ctx))
    ctx.set('Cache-Control', 'no-store')
    if (!progress) {
      ctx.status = 404
      ctx.body = { ok: false }
      return
    }
    ctx.body = { ok: true, ...progress }
  })

  return router
}
