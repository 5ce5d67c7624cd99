// Settings actions (SPEC section 3): profile and appearance, master password, devices, recovery
// code, account deletion. requireUser -> parse -> rate limit -> service -> sessions, mail -> 303.
// Two-factor has its own routes. Each action answers on its section's page (ADR 022): a 303 there
// on success, that page re-rendered with the errors (422) otherwise.
import Router from '@koa/router'
import type { Context } from 'koa'
import {
  EMAIL_CHANGE_NEEDS_PASSWORD,
  appearanceSchema,
  confirmPasswordSchema,
  passwordChangeSchema,
  profileSchema,
  recoverySavedSchema,
} from '../../schemas/settings.js'
import { SETTINGS_PAGES } from '../../shared/settingsPages.js'
import { parseForm } from '../lib/validate.js'
import { ValidationError } from '../lib/errors.js'
import { clearRecoveryCode, currentSessionId, endSession, holdRecoveryCode, pendingRecoveryCode, regenerateSession, updateSessionUser } from '../session/lifecycle.js'
import type { MailMessage } from '../lib/mail.js'
import {
  accountDeletedMessage,
  departureMessage,
  emailChangeRequestedMessage,
  emailChangeVerificationMessage,
  passwordChangedMessage,
  recoveryCodeIssuedMessage,
} from '../lib/mailMessages.js'
import { formAction, redirectTo } from './respond.js'
import { recordOwn } from './activityEvents.js'
import { submittedStrength } from '../services/passwordStrength.js'
import { masterPasswordInputs } from '../../shared/strengthInputs.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import { passwordBudget } from './passwordBudget.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

export const SETTINGS = '/dashboard/settings'
const { account: ACCOUNT, appearance: APPEARANCE, security: SECURITY, devices: DEVICES, data: DATA } = SETTINGS_PAGES
const NEW_RECOVERY_CODE = `${SETTINGS}/recovery-code`

/** The recovery code as a file: the name says what it is and for which account. */
export function recoveryCodeFile(code: string, email: string, now = new Date()) {
  return {
    name: `nucleusid-recovery-code-${now.toISOString().slice(0, 10)}.txt`,
    text: `NucleusID recovery code\r\n\r\nAccount: ${email}\r\nIssued: ${now.toISOString().slice(0, 10)}\r\n\r\n${code}\r\n\r\nIf you forget your master password, this code is the only way back into your vault.\r\nKeep it somewhere safe outside NucleusID. Anyone with it and your email can reset your master password.\r\n`,
  }
}

export function settingsRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: SETTINGS })
  router.use(requireUser)
  const { services, rateLimits, sessionIndex, config } = deps
  const body = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, unknown>
  const on = (page: string) => () => page

  /** Mail goes out after the response: a slow mail server never holds up the user. */
  function send(ctx: Context, message: MailMessage, what: string) {
    deps.mailer.send(message).catch((err) => ctx.state.log.error({ err }, `${what} mail failed`))
  }

  const withPasswordBudget = passwordBudget(rateLimits)

  router.post(
    '/profile',
    formAction(render, on(ACCOUNT), async (ctx) => {
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
        send(ctx, emailChangeVerificationMessage({ name: user.name, email: pendingEmail }, user.email, link), 'email change verification')
        send(ctx, emailChangeRequestedMessage({ name: user.name, email: user.email }, pendingEmail), 'email change notice')
        // A privilege change: the session id that asked for it is not the one that carries on.
        await regenerateSession(ctx, deps)
        ctx.state.log.info({ uid: user.id }, 'email change requested')
        redirectTo(ctx, deps, ACCOUNT, {
          type: 'success',
          message: `We sent a verification link to ${pendingEmail}. Until you open it, your email stays ${user.email}.`,
        })
        return
      }
      const message = cancelled ? 'The email change was cancelled.' : nameChanged ? 'Your name was saved.' : 'Nothing to change.'
      redirectTo(ctx, deps, ACCOUNT, { type: nameChanged || cancelled ? 'success' : 'info', message })
    }),
  )

  router.post(
    '/appearance',
    formAction(render, on(APPEARANCE), async (ctx) => {
      const viewer = viewerOf(ctx)
      const { theme } = parseForm(appearanceSchema, body(ctx))
      await services.account.setTheme(viewer.userId, theme)
      // Carried in every session of the user: each page is rendered in it with no SQL query.
      await updateSessionUser(ctx, deps, viewer.userId, { theme })
      const label = theme === 'system' ? 'follows your system' : `is ${theme}`
      redirectTo(ctx, deps, APPEARANCE, { type: 'success', message: `The appearance ${label} now.` })
    }),
  )

  // The viewer's time zone: every session of the user writes dates in it from the next page on,
  // with no SQL query per request.
  router.post(
    '/time-zone',
    formAction(render, on(APPEARANCE), async (ctx) => {
      const viewer = viewerOf(ctx)
      const zone = await services.users.setTimeZone(viewer.userId, body(ctx).time_zone)
      await updateSessionUser(ctx, deps, viewer.userId, { timeZone: zone })
      redirectTo(ctx, deps, APPEARANCE, { type: 'success', message: `Dates are now shown in ${zone} time.` })
    }),
  )

  router.post(
    '/password',
    formAction(render, on(SECURITY), async (ctx) => {
      const viewer = viewerOf(ctx)
      const input = parseForm(passwordChangeSchema, body(ctx))
      const user = await withPasswordBudget(viewer.userId, 'current_password', () =>
        services.account.changePassword(viewer, { current: input.current_password, next: input.new_password }),
      )
      // Every other session ends; this one carries on under a new id.
      await sessionIndex.revokeUserSessions(viewer.userId, currentSessionId(ctx))
      await regenerateSession(ctx, deps)
      await recordOwn(ctx, deps, viewer.userId, 'password_changed')
      send(ctx, passwordChangedMessage(user), 'password changed notice')
      ctx.state.log.info({ uid: user.id }, 'master password changed')
      redirectTo(ctx, deps, SECURITY, { type: 'success', message: 'Your master password was changed. Every other device was logged out.' })
    }, {
      // The meter of the re-rendered form (no JavaScript), as the service scores the new password.
      strength: (ctx) => submittedStrength('new_password', body(ctx).new_password, masterPasswordInputs(ctx.state.user!.name, ctx.state.user!.email), ctx.state.user!.id),
    }),
  )

  router.post('/devices/delete-others', async (ctx) => {
    const viewer = viewerOf(ctx)
    // The count is of sessions that were still alive: a device whose session had already ended
    // (expired, logged out) is forgotten too, but was not logged in.
    const ended = await sessionIndex.revokeUserSessions(viewer.userId, currentSessionId(ctx))
    await services.devices.removeOthers(viewer.userId, ctx.state.deviceId!)
    if (ended) await recordOwn(ctx, deps, viewer.userId, 'device_revoked', { detail: `${ended} other ${ended === 1 ? 'device' : 'devices'} logged out` })
    redirectTo(ctx, deps, DEVICES, {
      type: 'success',
      message: ended ? `Logged out ${ended} other ${ended === 1 ? 'device' : 'devices'}.` : 'No other device was logged in.',
    })
  })

  router.post('/devices/:id/delete', async (ctx) => {
    const viewer = viewerOf(ctx)
    const device = await services.devices.remove(viewer.userId, ctx.params.id!)
    await sessionIndex.revokeDevice(viewer.userId, device.id)
    await recordOwn(ctx, deps, viewer.userId, 'device_revoked', { detail: `${device.name} logged out` })
    if (device.id === ctx.state.deviceId) {
      // Revoking this device is logging out.
      await endSession(ctx, deps)
      deps.csrf.rotate(ctx)
      redirectTo(ctx, deps, '/login', { type: 'info', message: 'This device was logged out.' })
      return
    }
    redirectTo(ctx, deps, DEVICES, { type: 'success', message: `${device.name} was logged out.` })
  })

  router.post(
    '/recovery-code',
    formAction(render, on(SECURITY), async (ctx) => {
      const viewer = viewerOf(ctx)
      const { password } = parseForm(confirmPasswordSchema, body(ctx))
      const { user, recoveryCode } = await withPasswordBudget(viewer.userId, 'password', () =>
        services.account.issueRecoveryCode(viewer, password),
      )
      // Shown once, from the session where it is sealed under the per-session key.
      holdRecoveryCode(ctx, recoveryCode)
      await recordOwn(ctx, deps, viewer.userId, 'recovery_code_new')
      send(ctx, recoveryCodeIssuedMessage(user), 'recovery code notice')
      ctx.state.log.info({ uid: user.id }, 'recovery code issued')
      redirectTo(ctx, deps, NEW_RECOVERY_CODE)
    }),
  )

  // "I have saved my recovery code" (the box must be ticked): the code is forgotten by the server.
  router.post(
    '/recovery-code/saved',
    formAction(render, on(NEW_RECOVERY_CODE), async (ctx) => {
      if (!pendingRecoveryCode(ctx)) return redirectTo(ctx, deps, SECURITY)
      parseForm(recoverySavedSchema, body(ctx))
      clearRecoveryCode(ctx)
      redirectTo(ctx, deps, SECURITY, { type: 'success', message: 'Your new recovery code is in force. The old one no longer works.' })
    }),
  )

  // The code being shown (after registration, recovery or a new one from here) as a .txt file. It
  // is read from the session, where it is sealed until the user says it is saved: never from the
  // form (no code travels back to the server), never logged, never cached.
  router.post('/recovery-code/download', async (ctx) => {
    const code = pendingRecoveryCode(ctx)
    if (!code) return redirectTo(ctx, deps, SECURITY, { type: 'info', message: 'That recovery code was already saved: it is no longer shown. Issue a new one if you need it.' })
    const file = recoveryCodeFile(code, ctx.state.user!.email)
    ctx.status = 200
    ctx.set('Content-Type', 'text/plain; charset=utf-8')
    ctx.set('Content-Disposition', `attachment; filename="${file.name}"`)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = file.text
  })

  router.post(
    '/delete-account',
    formAction(render, on(DATA), async (ctx) => {
      const viewer = viewerOf(ctx)
      const { password } = parseForm(confirmPasswordSchema, body(ctx))
      const deleted = await withPasswordBudget(viewer.userId, 'password', () => services.account.deleteAccount(viewer, password))
      await sessionIndex.revokeUserSessions(viewer.userId)
      await endSession(ctx, deps)
      deps.csrf.rotate(ctx)
      send(ctx, accountDeletedMessage(deleted), 'account deleted notice')
      // The owners of the folders this account belonged to: what it could read (ADR 038).
      for (const d of deleted.departures) send(ctx, departureMessage(d.owner, d, deps.config.appOrigin), 'departure notice')
      ctx.state.log.info({ uid: viewer.userId, sharedFolders: deleted.deletedShared.length, left: deleted.left }, 'account deleted')
      redirectTo(ctx, deps, '/login', { type: 'info', message: 'Your account and everything in it were deleted.' })
    }),
  )

  return router
}
