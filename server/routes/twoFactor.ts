// Turning two-factor authentication on and off from settings (SPEC section 3). Both are privilege
// changes: the session id is regenerated, and the user gets an email notice.
import Router from '@koa/router'
import type { Context } from 'koa'
import { SETTINGS_PAGES } from '../../shared/settingsPages.js'
import { twoFactorDisableSchema, twoFactorEnableSchema } from '../../schemas/twoFactor.js'
import { parseForm } from '../lib/validate.js'
import { regenerateSession, updateSessionUser } from '../session/lifecycle.js'
import { twoFactorNoticeMessage } from '../lib/mailMessages.js'
import { formAction, redirectTo } from './respond.js'
import { recordOwn } from './activityEvents.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import { passwordBudget } from './passwordBudget.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

/** The page of the two-factor section (ADR 022): both forms come back to it. */
const SECURITY = SETTINGS_PAGES.security
const securityPage = () => SECURITY

export function twoFactorRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard/settings/2fa' })
  const { services, rateLimits, mailer, config } = deps
  const withPasswordBudget = passwordBudget(rateLimits)
  router.use(requireUser)

  function notify(ctx: Context, user: { name: string; email: string }, on: boolean) {
    mailer.send(twoFactorNoticeMessage(user, on, config.appOrigin)).catch((err) => ctx.state.log.error({ err }, 'two-factor notice mail failed'))
  }

  // A wrong code re-renders the page with the secret the user already scanned: keepSecrets keeps
  // `secret` in the re-rendered values, and the code is dropped from them (it is not kept).
  router.post(
    '/enable',
    formAction(
      render,
      securityPage,
      async (ctx) => {
        try {
          const viewer = viewerOf(ctx)
          const input = parseForm(twoFactorEnableSchema, ctx.request.body)
          // Codes have their own budget; the master password shares the settings one.
          await rateLimits.spend('twoFactorSettings', viewer.userId)
          const user = await withPasswordBudget(viewer.userId, 'password', () => services.twoFactor.enable(viewer, input))
          // Every session learns it (an administrator's /admin needs it, ADR 036), then a new id.
          await updateSessionUser(ctx, deps, viewer.userId, { twoFactor: true })
          await regenerateSession(ctx, deps)
          notify(ctx, user, true)
          await recordOwn(ctx, deps, viewer.userId, 'two_factor_on')
          ctx.state.log.info({ uid: viewer.userId, event: 'two_factor_enabled' }, 'two-factor turned on')
          redirectTo(ctx, deps, SECURITY, { type: 'success', message: 'Two-factor authentication is on. Logging in now also asks for a code.' })
        } catch (e) {
          const body = ctx.request.body
          if (body && typeof body === 'object') {
            delete (body as Record<string, unknown>).code
            delete (body as Record<string, unknown>).password
          }
          throw e
        }
      },
      { keepSecrets: true },
    ),
  )

  router.post(
    '/disable',
    formAction(render, securityPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const input = parseForm(twoFactorDisableSchema, ctx.request.body)
      const { user, wasEnabled } = await withPasswordBudget(viewer.userId, 'password', () => services.twoFactor.disable(viewer, input))
      if (wasEnabled) {
        await updateSessionUser(ctx, deps, viewer.userId, { twoFactor: false })
        await regenerateSession(ctx, deps)
        notify(ctx, user, false)
        await recordOwn(ctx, deps, viewer.userId, 'two_factor_off')
        ctx.state.log.info({ uid: viewer.userId, event: 'two_factor_disabled' }, 'two-factor turned off')
      }
      redirectTo(ctx, deps, SECURITY, { type: 'success', message: 'Two-factor authentication is off.' })
    }),
  )

  return router
}
