// Registration, login, logout and email verification (SPEC sections 3 and 4).
import Router from '@koa/router'
import type { Context } from 'koa'
import { loginSchema, recoverSchema, registerSchema } from '../../schemas/auth.js'
import { twoFactorLoginSchema } from '../../schemas/twoFactor.js'
import { parseForm } from '../lib/validate.js'
import { AppError, RateLimitedError, ValidationError } from '../lib/errors.js'
import { clearRecoveryCode, endSession, pendingLogin, pendingRecoveryCode, startSession, updateSessionUser } from '../session/lifecycle.js'
import { recoverySavedSchema } from '../../schemas/settings.js'
import { ACCOUNT_DISABLED, toSessionUser } from '../services/users.js'
import type { SessionUser } from '../../shared/user.js'
import { submittedStrength } from '../services/passwordStrength.js'
import { masterPasswordInputs } from '../../shared/strengthInputs.js'
import { formAction, redirectTo, safeNext } from './respond.js'
import { wantsJson } from '../middleware/errors.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'
import type { MailMessage } from '../lib/mail.js'
import {
  emailChangedMessage,
  loginNoticeMessage,
  recoveryNoticeMessage,
  twoFactorFailedMessage,
  verificationMessage,
  wrongPasswordsMessage,
} from '../lib/mailMessages.js'
import { deviceName } from '../services/devices.js'
import { isTimeZone } from '../../shared/formatDate.js'
import type { User } from '../../models/index.js'
import { fromRequest, recordEvents, recordOwn } from './activityEvents.js'

const WRONG_CREDENTIALS = 'Email or password is incorrect.'
const WRONG_CODE = 'That code is not right, or it was already used. Enter the code your authenticator app shows now.'
const LOGIN_AGAIN = 'Your login took too long. Log in again.'
const TWO_FACTOR_NOTICE_EVERY_MS = 15 * 60 * 1000
/** The wrong password of a window (15 minutes) that mails its owner: once per window (issue 25). */
const WRONG_PASSWORD_ALERT_AT = 3

/**
 * Registrations that spent their point of the per-IP limit. Scoring a password costs up to a
 * second of CPU and the visitor is anonymous: only those are scored, never an invalid form.
 */
const registrationPaid = new WeakSet<Context>()

/**
 * The meter of a re-rendered registration form (no JavaScript): the password as the service
 * scores it. Only for a form that was valid and spent its point (weak password, email taken); an
 * invalid one comes back without a meter (its password fields are empty anyway).
 */
async function registerStrength(ctx: Context) {
  if (!registrationPaid.has(ctx)) return {}
  const body = (ctx.request.body ?? {}) as Record<string, unknown>
  return submittedStrength('password', body.password, masterPasswordInputs(String(body.name ?? ''), String(body.email ?? '')), null)
}

/** The registration form's own URL: with its invitation, so a 422 re-render keeps the fixed address. */
function registerPage(ctx: Context) {
  const invite = (ctx.request.body as Record<string, unknown> | undefined)?.invite
  return typeof invite === 'string' && /^[\w-]{1,100}$/.test(invite) ? `/register?invite=${invite}` : '/register'
}

export function authRoutes(deps: AppDeps, render: Render) {
  const router = new Router()
  const { services, rateLimits, mailer, config } = deps

  /** Mail goes out after the response: a slow mail server never holds up the user. */
  function send(ctx: Context, message: MailMessage, what: string) {
    mailer.send(message).catch((err) => ctx.state.log.error({ err }, `${what} mail failed`))
  }

  function sendVerification(ctx: Context, user: { id: string; email: string; name: string }) {
    const link = `${config.appOrigin}/verify?token=${encodeURIComponent(services.users.verificationToken(user))}`
    send(ctx, verificationMessage(user, link), 'verification')
  }

  /** `continues`: the second step of a login, which goes on only while its first step's session exists. */
  async function logIn(ctx: Context, user: SessionUser, vaultKey: Buffer, remember: boolean, opts: { recoveryCode?: string; continues?: boolean } = {}) {
    const known = await services.devices.isKnown(user.id, ctx.get('user-agent'))
    const device = await services.devices.create(user.id, ctx.get('user-agent'), ctx.ip)
    try {
      await startSession(ctx, deps, { user, deviceId: device.id, vaultKey, remember, ...opts })
      // Checked again once the session exists: an administrator who disabled the account meanwhile
      // wrote the row before ending its sessions, so one of the two steps sees the other.
      if (await services.users.isDisabled(user.id)) {
        await endSession(ctx, deps)
        throw new ValidationError({ password: ACCOUNT_DISABLED }, ACCOUNT_DISABLED)
      }
    } catch (err) {
      await services.devices.remove(user.id, device.id).catch(() => {})
      throw err
    }
    deps.csrf.rotate(ctx)
    // Its activity (issue 25): the sign-in, and a browser and system never seen on this account before.
    const here = fromRequest(ctx)
    await recordEvents(ctx, deps, [
      { readerId: user.id, kind: 'signin', details: here },
      ...(known ? [] : [{ readerId: user.id, kind: 'device_new' as const, details: here }]),
    ])
    return device
  }

  /**
   * A refused sign-in in its account's log, bounded per window (services/activity.ts
   * recordBounded): a burst stores a few rows and one counter. Returns which attempt of the
   * window it was (0 when not recorded); never fails the request.
   */
  async function recordRefused(ctx: Context, userId: string, kind: 'signin_failed_password' | 'signin_failed_code' | 'signin_limited') {
    try {
      return await services.activity.recordBounded({ readerId: userId, kind, details: fromRequest(ctx) })
    } catch (err) {
      ctx.state.log.error({ err, kind }, 'activity not recorded')
      return 0
    }
  }

  /** A limit's refusal of a known account's login is in its log too: the owner sees someone kept trying. */
  async function spendLogin(ctx: Context, email: string) {
    try {
      await rateLimits.spend('loginIp', ctx.ip)
      await rateLimits.spend('loginEmail', email)
    } catch (err) {
      if (err instanceof RateLimitedError) {
        const user = await services.users.byEmail(email).catch(() => null)
        if (user) await recordRefused(ctx, user.id, 'signin_limited')
      }
      throw err
    }
  }

  /**
   * The time zone the browser detected (a hidden `time_zone` field the login and registration
   * forms fill with JavaScript) becomes the user's when they have none yet: a zone chosen in
   * settings is not overridden by a login from elsewhere. Without JavaScript, or an unknown zone:
   * nothing changes (dates stay in UTC until known).
   */
  async function keepDetectedZone(user: User, detected: unknown) {
    if (user.timeZone || !isTimeZone(detected)) return
    user.timeZone = await services.users.setTimeZone(user.id, detected)
  }

  router.post(
    '/register',
    formAction(render, registerPage, async (ctx) => {
      const body = ctx.request.body as Record<string, unknown>
      // The cheap checks first: an invalid form is answered without scoring its password and
      // spends nothing.
      const input = parseForm(registerSchema, body)
      // Every attempt that reaches the strength pool or the database counts, "email taken"
      // included: the limit also bounds how fast addresses can be probed. Spent before either.
      await rateLimits.spend('registerIp', ctx.ip)
      // Who may sign up (ADR 036): the policy, the domains, or the invitation (whose address is the one used).
      const { email, invitationId } = await services.signup.checkRegistration({ email: input.email, invite: body.invite })
      registrationPaid.add(ctx)
      const { user, vaultKey, recoveryCode } = await services.users.register(
        { ...input, email },
        {
          claim: invitationId ? (created, transaction) => services.signup.claimInvitation(invitationId, created.id, transaction) : undefined,
          admin: config.admin.emails.includes(email),
        },
      )
      await keepDetectedZone(user, (ctx.request.body as Record<string, unknown>).time_zone)
      try {
        await logIn(ctx, toSessionUser(user), vaultKey, false, { recoveryCode })
      } catch (err) {
        // All or nothing: without a session the recovery code is never shown (see discardRegistration).
        await services.users.discardRegistration(user.id).catch((e) => ctx.state.log.error({ err: e }, 'could not discard a half-made registration'))
        throw err
      }
      sendVerification(ctx, user)
      ctx.state.log.info({ uid: user.id }, 'user registered')
      redirectTo(ctx, deps, '/register/recovery-code')
    }, { strength: registerStrength }),
  )

  // "I have saved it": the code is forgotten by the server and never shown again.
  // The box "I have saved my recovery code" must be ticked (a 422 re-renders the code otherwise).
  router.post(
    '/register/recovery-code',
    formAction(render, () => '/register/recovery-code', async (ctx) => {
      if (!ctx.state.user) throw new AppError(401, 'Log in first.')
      if (pendingRecoveryCode(ctx)) parseForm(recoverySavedSchema, ctx.request.body ?? {})
      clearRecoveryCode(ctx)
      redirectTo(ctx, deps, '/dashboard', { type: 'success', message: 'Welcome to NucleusID. Your vault is ready.' })
    }),
  )

  router.post(
    '/login',
    formAction(render, (ctx) => `/login${ctx.querystring ? `?${ctx.querystring}` : ''}`, async (ctx) => {
      const body = ctx.request.body as Record<string, unknown>
      const input = parseForm(loginSchema, body)
      // Spent before the password is checked (see lib/rateLimits.ts).
      await spendLogin(ctx, input.email)
      const checked = await services.users.checkPassword(input.email, input.password)
      if (!checked.user || !checked.vaultKey) {
        ctx.state.log.info({ event: 'login_failed' }, 'login failed')
        if (checked.user) {
          // Several wrong passwords in a window mail the owner, once (the Nth attempt comes back once).
          const attempt = await recordRefused(ctx, checked.user.id, 'signin_failed_password')
          if (attempt === Math.min(WRONG_PASSWORD_ALERT_AT, config.rateLimits.loginPerEmail)) {
            send(ctx, wrongPasswordsMessage(checked.user, attempt, { name: deviceName(ctx.get('user-agent')), ip: ctx.ip }, config.appOrigin), 'wrong passwords alert')
          }
        }
        throw new ValidationError({ password: WRONG_CREDENTIALS }, WRONG_CREDENTIALS)
      }
      const result = { user: checked.user, vaultKey: checked.vaultKey }
      await Promise.all([rateLimits.reset('loginEmail', input.email), rateLimits.refund('loginIp', ctx.ip)])
      // Told only once the password was right: a disabled account is not revealed to a guesser.
      if (result.user.disabledAt) throw new ValidationError({ password: ACCOUNT_DISABLED }, ACCOUNT_DISABLED)
      await keepDetectedZone(result.user, body.time_zone)
      const user = toSessionUser(result.user)
      if (result.user.totpSecretSealed) {
        // Two-factor: a half-logged-in session (no device, no ctx.state.user) that reaches only
        // /login/2fa and /logout. The vault key is sealed in it, so the next step can open the
        // TOTP secret. Whether the user has two-factor is known here, from the row just loaded:
        // ordinary requests still cost no SQL query.
        await startSession(ctx, deps, { user, vaultKey: result.vaultKey, remember: input.remember, pendingMfa: { next: safeNext(body.next) } })
        deps.csrf.rotate(ctx)
        redirectTo(ctx, deps, '/login/2fa')
        return
      }
      await completeLogin(ctx, user, result.vaultKey, input.remember, safeNext(body.next))
    }),
  )

  async function completeLogin(ctx: Context, user: SessionUser, vaultKey: Buffer, remember: boolean, next: string, continues = false) {
    const device = await logIn(ctx, user, vaultKey, remember, { continues })
    send(ctx, loginNoticeMessage(user, device, config.appOrigin), 'login notice')
    redirectTo(ctx, deps, next || '/dashboard', { type: 'success', message: `Welcome back, ${user.name}.` })
  }

  // The second step of a login with two-factor: a code from the authenticator app. Its own attempt
  // limit per user, spent before the code is checked; each code is accepted once (services/twoFactor).
  router.post(
    '/login/2fa',
    formAction(render, () => '/login/2fa', async (ctx) => {
      if (!ctx.state.pendingMfa && ctx.state.user) return redirectTo(ctx, deps, '/dashboard')
      const pending = pendingLogin(ctx)
      if (!pending) {
        // No login waiting (never started, expired), or its nid.sk cookie is lost so the vault key
        // cannot be opened: the login starts again.
        if (ctx.state.pendingMfa) await endSession(ctx, deps)
        if (wantsJson(ctx)) throw new AppError(401, LOGIN_AGAIN)
        return redirectTo(ctx, deps, '/login', { type: 'error', message: LOGIN_AGAIN })
      }
      const input = parseForm(twoFactorLoginSchema, ctx.request.body)
      try {
        await rateLimits.spend('twoFactorLogin', pending.user.id)
      } catch (err) {
        if (err instanceof RateLimitedError) await recordRefused(ctx, pending.user.id, 'signin_limited')
        throw err
      }
      if (!(await services.twoFactor.verifyLogin(pending.user.id, pending.vaultKey, input.code))) {
        ctx.state.log.info({ event: 'two_factor_failed' }, 'two-factor code refused')
        await recordRefused(ctx, pending.user.id, 'signin_failed_code')
        // The password was right: its owner should know someone has it. Once per window, so a
        // burst of wrong codes is one message.
        if (await deps.kv.claim(`notice:2fa-failed:${pending.user.id}`, TWO_FACTOR_NOTICE_EVERY_MS)) {
          send(ctx, twoFactorFailedMessage(pending.user, { name: deviceName(ctx.get('user-agent')), ip: ctx.ip }, config.appOrigin), 'wrong two-factor code notice')
        }
        throw new ValidationError({ code: WRONG_CODE }, WRONG_CODE)
      }
      await rateLimits.reset('twoFactorLogin', pending.user.id)
      // Only now is it a login: a new session id, a device, the new-login notice.
      await completeLogin(ctx, pending.user, pending.vaultKey, pending.remember, pending.next, true)
    }),
  )

  // Forgotten master password: the recovery code opens the vault key, which is re-wrapped under
  // the new password. Every other session ends; a new recovery code is shown once.
  router.post(
    '/recover',
    formAction(render, () => '/recover', async (ctx) => {
      const input = parseForm(recoverSchema, ctx.request.body)
      await rateLimits.spend('recoverIp', ctx.ip)
      await rateLimits.spend('recoverEmail', input.email)
      const result = await services.users
        .recover({ email: input.email, recoveryCode: input.recovery_code, newPassword: input.new_password })
        .catch(async (err: unknown) => {
          // The code was right and only the new password was refused (too easy to guess): not a
          // guess, so it costs no attempt; the owner types a stronger one next.
          if (err instanceof ValidationError && err.fields.new_password) {
            await Promise.all([rateLimits.reset('recoverEmail', input.email), rateLimits.refund('recoverIp', ctx.ip)])
          }
          throw err
        })
      if (!result) {
        throw new ValidationError({ recovery_code: 'Email or recovery code is incorrect.' }, 'Email or recovery code is incorrect.')
      }
      await Promise.all([rateLimits.reset('recoverEmail', input.email), rateLimits.refund('recoverIp', ctx.ip)])
      await deps.sessionIndex.revokeUserSessions(result.user.id)
      await logIn(ctx, toSessionUser(result.user), result.vaultKey, false, { recoveryCode: result.recoveryCode })
      await recordEvents(ctx, deps, [
        { readerId: result.user.id, kind: 'password_changed', details: { ...fromRequest(ctx), detail: 'with the recovery code' } },
        { readerId: result.user.id, kind: 'recovery_code_new', details: fromRequest(ctx) },
        ...(result.twoFactorDisabled ? [{ readerId: result.user.id, kind: 'two_factor_off' as const, details: { ...fromRequest(ctx), detail: 'by the recovery code' } }] : []),
      ])
      send(ctx, recoveryNoticeMessage(result.user, { twoFactorDisabled: result.twoFactorDisabled }), 'recovery notice')
      ctx.state.log.info({ uid: result.user.id }, 'account recovered')
      redirectTo(ctx, deps, '/register/recovery-code', { type: 'success', message: 'Your master password was changed. Save your new recovery code.' })
    }),
  )

  router.post('/logout', async (ctx) => {
    await endSession(ctx, deps)
    deps.csrf.rotate(ctx)
    redirectTo(ctx, deps, '/login', { type: 'info', message: 'You have been logged out.' })
  })

  // A fresh CSRF token for a form already on screen (JavaScript), after its session ended and the
  // user logged in again in place (components/logInAgain.ts): bound to whatever session the request
  // now has, or to the anonymous seed. Never stored by a cache.
  router.get('/session/csrf', (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { token: deps.csrf.token(ctx) }
  })

  // The emailed link: verifies, then sends the user where they can carry on.
  router.get('/verify', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : ''
    const user = token ? await services.users.verifyEmail(token) : null
    if (!user) {
      await render(ctx, '/verify', { status: 400 })
      return
    }
    // Every session of this user learns it, wherever the link was opened.
    // The email too: a link for a pending address (settings) has just made it the account's.
    await updateSessionUser(ctx, deps, user.id, { verified: true, email: user.email })
    if (user.changedFrom) await recordOwn(ctx, deps, user.id, 'email_changed', { detail: `from ${user.changedFrom} to ${user.email}` })
    if (user.changedFrom) send(ctx, emailChangedMessage({ name: user.name, email: user.changedFrom }, user.email, config.appOrigin), 'email changed notice')
    redirectTo(ctx, deps, ctx.state.user ? '/dashboard' : '/login', {
      type: 'success',
      message: 'Your email address is verified.',
    })
  })

  router.post('/verify/resend', async (ctx) => {
    const current = ctx.state.user
    if (!current) throw new AppError(401, 'Log in first.')
    if (current.verified) {
      redirectTo(ctx, deps, '/dashboard', { type: 'info', message: 'Your email address is already verified.' })
      return
    }
    await rateLimits.spend('verifyResend', current.id)
    sendVerification(ctx, current)
    redirectTo(ctx, deps, '/dashboard', { type: 'success', message: `We sent a new verification link to ${current.email}.` })
  })

  return router
}
