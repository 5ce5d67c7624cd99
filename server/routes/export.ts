// The vault export (issue 11): POST /dashboard/export with the master password answers with the
// file itself (CSV, or with format=json Bitwarden's unencrypted JSON, issue 23) (Content-Disposition: attachment), so a plain form post downloads it without
// JavaScript. requireUser -> parse -> rate limit -> password check -> mail -> stream.
import Router from '@koa/router'
import { Readable, pipeline } from 'node:stream'
import { stringify } from 'csv-stringify'
import { exportSchema } from '../../schemas/export.js'
import { parseForm } from '../lib/validate.js'
import { ValidationError } from '../lib/errors.js'
import { vaultExportedMessage } from '../lib/mailMessages.js'
import { deviceName } from '../services/devices.js'
import { EXPORT_CSV_OPTIONS, UnreadableItemsError, type ExportRecord } from '../services/exporter.js'
import { formAction } from './respond.js'
import { recordOwn } from './activityEvents.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import { SETTINGS_PAGES } from '../../shared/settingsPages.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

export const EXPORT = '/dashboard/export'
const WRONG_PASSWORD = 'This is not your master password.'

/** The file name carries the day of the export (UTC), as Bitwarden's does. */
export const exportFileName = (now = new Date(), ext: 'csv' | 'json' = 'csv') => `nucleusid-export-${now.toISOString().slice(0, 10)}.${ext}`

export function exportRoutes(deps: AppDeps, render: Render) {
  const router = new Router()
  const { services, rateLimits, config } = deps

  router.post(
    EXPORT,
    requireUser,
    // A refused export re-renders the Data page of settings, where its form is.
    formAction(render, () => SETTINGS_PAGES.data, async (ctx) => {
      const viewer = viewerOf(ctx)
      const { password, format } = parseForm(exportSchema, ctx.request.body ?? {})
      // The same budget as every master password typed in settings, spent before the scrypt work:
      // a stolen session gets no extra guesses here. A right password gives the point back.
      await rateLimits.spend('settingsPassword', viewer.userId)
      let records: ExportRecord[] | null = null
      let json: Awaited<ReturnType<typeof services.exporter.exportJson>> = null
      try {
        if (format === 'json') json = await services.exporter.exportJson(viewer, password)
        else records = await services.exporter.exportVault(viewer, password)
      } catch (e) {
        // A backup that silently lacks an item is worse than none: refused with a message that
        // says why and what to do. The password was right, so its point comes back.
        if (!(e instanceof UnreadableItemsError)) throw e
        await rateLimits.refund('settingsPassword', viewer.userId)
        ctx.state.log.warn({ uid: viewer.userId, unreadable: e.unreadable, total: e.total }, 'export refused: unreadable items')
        throw e
      }
      if (!records && !json) throw new ValidationError({ password: WRONG_PASSWORD }, WRONG_PASSWORD)
      await rateLimits.refund('settingsPassword', viewer.userId)

      const user = ctx.state.user!
      const device = { name: deviceName(ctx.get('user-agent')), ip: ctx.ip }
      deps.mailer.send(vaultExportedMessage(user, device, config.appOrigin)).catch((err) => ctx.state.log.error({ err }, 'export notice mail failed'))
      ctx.state.log.info({ uid: viewer.userId }, 'vault exported')
      await recordOwn(ctx, deps, viewer.userId, 'export', { detail: format === 'json' ? 'Bitwarden JSON' : 'CSV' })

      ctx.status = 200
      // Plaintext passwords: no cache, proxy or browser, may keep a copy.
      ctx.set('Cache-Control', 'no-store')
      if (json) {
        ctx.set('Content-Type', 'application/json; charset=utf-8')
        ctx.set('Content-Disposition', `attachment; filename="${exportFileName(new Date(), 'json')}"`)
        // Indented as Bitwarden writes its file.
        ctx.body = JSON.stringify(json, null, 2)
        return
      }
      ctx.set('Content-Type', 'text/csv; charset=utf-8')
      ctx.set('Content-Disposition', `attachment; filename="${exportFileName()}"`)
      ctx.body = pipeline(Readable.from(records!), stringify(EXPORT_CSV_OPTIONS), (err) => {
        if (err) ctx.state.log.warn({ code: (err as NodeJS.ErrnoException).code }, 'export stream ended early')
      })
    }),
  )

  return router
}
