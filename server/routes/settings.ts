// Settings actions (SPEC section 3): profile and appearance, master password, devices, recovery
// code, account deletion. requireUser -> parse -> rate limit -> service -> sessions, mail -> 303.
// Two-factor has its own routes.
import Router from '@koa/router'
import type { Context } from 'koa'
import { EMAIL_CHANGE_NEEDS_PASSWORD, appearanceSchema, confirmPasswordSchema, passwordChangeSchema, profileSchema } from '../../schemas/settings.js'
import { parseForm } from '../lib/validate.js'
import { ValidationError } from '../lib/errors.js'
import { clearRecoveryCode, currentSessionId, endSession, holdRecoveryCode, regenerateSession, updateSessionUser } from '../session/lifecycle.js'
import type { MailMessage } from '../lib/mail.js'
import {
  accountDeletedMessage,
  emailChangeRequestedMessage,
  passwordChangedMessage,
  recoveryCodeIssuedMessage,
  verificationMessage,
} from '../lib/mailMessages.js'
import { formAction, redirectTo } from './respond.js'
import { submittedStrength } from '../services/passwordStrength.js'
import { masterPasswordInputs } from '../../shared/strengthInputs.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import { passwordBudget } from './passwordBudget.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

export const SETTINGS = '/dashboard/settings'

export function settingsRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: SETTINGS })
  router.use(requireUser)
  const { services, rateLimits, sessionIndex, config } = deps
  const body = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, unknown>
  const settingsPage = () => SETTINGS

  /** Mail goes out after the response: a slow mail server never holds up the user. */
  function send(ctx: Context, message: MailMessage, what: string) {
    deps.mailer.send(message).catch((err) => ctx.state.log.error({ err }, `${what} mail failed`))
  }

  const withPasswordBudget = passwordBudget(rateLimits)

  router.post(
    '/profile',
    formAction(render, settingsPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const input = parseForm(profileSchema, body(ctx))
      const update = () => services.account.updateProfile(viewer, input)
      let result: Awaited<ReturnType<typeof update>>
      if (input.email !== ctx.state.user!.email.toLowerCase()) {
        if (!input.password) throw new ValidationError({ password: EMAIL_CHANGE_NEEDS_PASSWORD }, EMAIL_CHANGE_NEEDS_PASSWORD)
        await rateLimits.spend('emailChange', viewer.userId)
        result = await withPasswordBudget(viewer.userId, 'password', update)
      } else {
        // The session's email can lag the account's by a request: the service asks for the password too.
        result = await update()
        if (!result) throw new ValidationError({ password: EMAIL_CHANGE_NEEDS_PASSWORD }, EMAIL_CHANGE_NEEDS_PASSWORD)
      }
      const { user, nameChanged, pendingEmail, cancelled } = result
      if (nameChanged) {
        // Every session of the user shows the new name, with no query on their next request.
        await updateSessionUser(ctx, deps, viewer.userId, { name: user.name })
      }
      if (pendingEmail) {
        const token = services.users.verificationToken({ id: user.id, email: pendingEmail })
        const link = `${config.appOrigin}/verify?token=${encodeURIComponent(token)}`
        send(ctx, verificationMessage({ name: user.name, email: pendingEmail }, link), 'email change verification')
        send(ctx, emailChangeRequestedMessage({ name: user.name, email: user.email }, pendingEmail), 'email change notice')
        // A privilege change: the session id that asked for it is not the one that carries on.
        await regenerateSession(ctx, deps)
        ctx.state.log.info({ uid: user.id }, 'email change requested')
        redirectTo(ctx, deps, SETTINGS, {
          type: 'success',
          message: `We sent a verification link to ${pendingEmail}. Until you open it, your email stays ${user.email}.`,
        })
        return
      }
      const message = cancelled ? 'The email change was cancelled.' : nameChanged ? 'Your name was saved.' : 'Nothing to change.'
      redirectTo(ctx, deps, SETTINGS, { type: nameChanged || cancelled ? 'success' : 'info', message })
    }),
  )

  router.post(
    '/appearance',
    formAction(render, settingsPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const { theme } = parseForm(appearanceSchema, body(ctx))
      await services.account.setTheme(viewer.userId, theme)
      // Carried in every session of the user: each page is rendered in it with no SQL query.
      await updateSessionUser(ctx, deps, viewer.userId, { theme })
      const label = theme === 'system' ? 'follows your system' : `is ${theme}`
      redirectTo(ctx, deps, SETTINGS, { type: 'success', message: `The appearance ${label} now.` })
    }),
  )

  router.post(
    '/password',
    formAction(render, settingsPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const input = parseForm(passwordChangeSchema, body(ctx))
      const user = await withPasswordBudget(viewer.userId, 'current_password', () =>
        services.account.changePassword(viewer, { current: input.current_password, next: input.new_password }),
      )
      // Every other session ends; this one carries on under a new id.
      await sessionIndex.revokeUserSessions(viewer.userId, currentSessionId(ctx))
      await regenerateSession(ctx, deps)
      send(ctx, passwordChangedMessage(user), 'password changed notice')
      ctx.state.log.info({ uid: user.id }, 'master password changed')
      redirectTo(ctx, deps, SETTINGS, { type: 'success', message: 'Your master password was changed. Every other device was logged out.' })
    }, {
      // The meter of the re-rendered form (no JavaScript), as the service scores the new password.
      strength: (ctx) => submittedStrength('new_password', body(ctx).new_password, masterPasswordInputs(ctx.state.user!.name, ctx.state.user!.email), ctx.state.user!.id),
    }),
  )

  router.post('/devices/delete-others', async (ctx) => {
    const viewer = viewerOf(ctx)
    await sessionIndex.revokeUserSessions(viewer.userId, currentSessionId(ctx))
    const removed = await services.devices.removeOthers(viewer.userId, ctx.state.deviceId!)
    redirectTo(ctx, deps, SETTINGS, {
      type: 'success',
      message: removed ? `Logged out ${removed} other ${removed === 1 ? 'device' : 'devices'}.` : 'No other device was logged in.',
    })
  })

  router.post('/devices/:id/delete', async (ctx) => {
    const viewer = viewerOf(ctx)
    const device = await services.devices.remove(viewer.userId, ctx.params.id!)
    await sessionIndex.revokeDevice(viewer.userId, device.id)
    if (device.id === ctx.state.deviceId) {
      // Revoking this device is logging out.
      await endSession(ctx, deps)
      deps.csrf.rotate(ctx)
      redirectTo(ctx, deps, '/login', { type: 'info', message: 'This device was logged out.' })
      return
    }
    redirectTo(ctx, deps, SETTINGS, { type: 'success', message: `${device.name} was logged out.` })
  })

  router.post(
    '/recovery-code',
    formAction(render, settingsPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const { password } = parseForm(confirmPasswordSchema, body(ctx))
      const { user, recoveryCode } = await withPasswordBudget(viewer.userId, 'password', () =>
        services.account.issueRecoveryCode(viewer, password),
      )
      // Shown once, from the session where it is sealed under the per-session key.
      holdRecoveryCode(ctx, recoveryCode)
      send(ctx, recoveryCodeIssuedMessage(user), 'recovery code notice')
      ctx.state.log.info({ uid: user.id }, 'recovery code issued')
      redirectTo(ctx, deps, `${SETTINGS}/recovery-code`)
    }),
  )

  // "I have saved it": the code is forgotten by the server.
  router.post('/recovery-code/saved', async (ctx) => {
    clearRecoveryCode(ctx)
    redirectTo(ctx, deps, SETTINGS, { type: 'success', message: 'Your new recovery code is in force. The old one no longer works.' })
  })

  router.post(
    '/delete-account',
    formAction(render, settingsPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const { password } = parseForm(confirmPasswordSchema, body(ctx))
      const deleted = await withPasswordBudget(viewer.userId, 'password', () => services.account.deleteAccount(viewer, password))
      await sessionIndex.revokeUserSessions(viewer.userId)
      await endSession(ctx, deps)
      deps.csrf.rotate(ctx)
      send(ctx, accountDeletedMessage(deleted), 'account deleted notice')
      ctx.state.log.info({ uid: viewer.userId, sharedFolders: deleted.deletedShared.length, left: deleted.left }, 'account deleted')
      redirectTo(ctx, deps, '/login', { type: 'info', message: 'Your account and everything in it were deleted.' })
    }),
  )

  return router
}
