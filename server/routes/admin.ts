// The administration area (issue 24, ADR 036): the gate in front of every /admin path, the
// re-authentication, and every administrator's action. The pages are Vike's (pages/admin); the
// work is the services' (services/admin.ts, services/signup.ts). No action reads a vault.
import Router from '@koa/router'
import type { Context, Middleware } from 'koa'
import { parseForm } from '../lib/validate.js'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { adminUnlockSchema, deleteUserSchema, invitationsSchema, mailTestSchema, signupSettingsSchema } from '../../schemas/admin.js'
import { adminUnlocked, regenerateSession, updateSessionUser } from '../session/lifecycle.js'
import { openWithPassword } from '../services/users.js'
import { parseDomains } from '../services/signup.js'
import type { AdminActor } from '../services/admin.js'
import { passwordBudget } from './passwordBudget.js'
import { formAction, redirectTo } from './respond.js'
import { recordEvents } from './activityEvents.js'
import { ADMIN_UNLOCK, adminNext } from '../../shared/adminNext.js'
import { accountDisabledMessage, signupInvitationMessage, testMessage, twoFactorOffByAdminMessage, verificationMessage } from '../lib/mailMessages.js'
import type { MailMessage } from '../lib/mail.js'
import { maskUrl } from '../lib/mask.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

const ADMIN_PATH = /^\/admin(\/|$|\.pageContext\.json$)/
const TEST_MAIL_TIMEOUT_MS = 15_000

const isAdminPath = (path: string) => ADMIN_PATH.test(path)

/** The page a refused POST came from (its Referer's path; adminNext checks it), else /admin. */
function refererPath(referer: string, origin: string): string {
  if (!referer) return '/admin'
  try {
    return new URL(referer, origin).pathname
  } catch {
    return '/admin' // a client can send any text as Referer
  }
}

/**
 * In front of every /admin path, page or action, decided from the session alone: 404 to anyone but
 * an administrator with two-factor on (nobody learns the area exists); an administrator whose
 * master password is older than ADMIN_REAUTH_SECONDS (10 minutes) is sent to /admin/unlock first.
 */
export function adminGate(deps: AppDeps): Middleware {
  return async (ctx, next) => {
    if (!isAdminPath(ctx.path)) return next()
    const user = ctx.state.user
    if (!user?.admin || !user.twoFactor) throw new NotFoundError()
    // Every action (the unlock included) spends from the administrator's budget first.
    if (ctx.method === 'POST') await deps.rateLimits.spend('adminActions', user.id)
    if (ctx.path === ADMIN_UNLOCK || adminUnlocked(ctx, deps.config.admin.reauthMs)) return next()
    // A client-side navigation's pageContext.json is answered by the page guard's redirect.
    if (ctx.path.endsWith('.pageContext.json')) return next()
    const back = ctx.method === 'GET' || ctx.method === 'HEAD' ? ctx.originalUrl : refererPath(ctx.get('referer'), deps.config.appOrigin)
    redirectTo(ctx, deps, `${ADMIN_UNLOCK}?next=${encodeURIComponent(adminNext(back))}`, ctx.method === 'POST' ? { type: 'info', message: 'Confirm your master password, then do that again.' } : undefined)
  }
}

export function adminRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/admin' })
  const { services, rateLimits, mailer, config, sessionIndex } = deps
  const withPasswordBudget = passwordBudget(rateLimits)

  const actorOf = (ctx: Context): AdminActor => ({ id: ctx.state.user!.id, email: ctx.state.user!.email, ip: ctx.ip })

  /** Mail goes out after the response: a slow mail server never holds up the page. */
  function send(ctx: Context, message: MailMessage, what: string) {
    mailer.send(message).catch((err) => ctx.state.log.error({ err }, `${what} mail failed`))
  }

  router.post(
    '/unlock',
    formAction(render, (ctx) => `${ADMIN_UNLOCK}${ctx.querystring ? `?${ctx.querystring}` : ''}`, async (ctx) => {
      const me = ctx.state.user!
      const input = parseForm(adminUnlockSchema, ctx.request.body)
      await withPasswordBudget(me.id, 'password', async () => {
        const row = await services.users.findById(me.id)
        // The role or the account went while this session lived (it would have been ended): nothing here.
        if (!row?.isAdmin || row.disabledAt || !row.totpSecretSealed) throw new NotFoundError()
        return openWithPassword(row, input.password)
      })
      // A privilege change: a new session id, then the window opens.
      await regenerateSession(ctx, deps)
      ctx.session!.pwAt = Date.now()
      await services.admin.record(actorOf(ctx), 'admin.unlock', null)
      redirectTo(ctx, deps, adminNext(input.next))
    }),
  )

  router.post(
    '/settings',
    formAction(render, () => '/admin/settings', async (ctx) => {
      const input = parseForm(signupSettingsSchema, ctx.request.body)
      const domains = parseDomains(input.signup_domains)
      const changes = await services.signup.update({ policy: input.signup_policy, domains }, ctx.state.user!.id)
      if (changes.length) await services.admin.record(actorOf(ctx), 'signup.update', null, changes.join('; '))
      redirectTo(ctx, deps, '/admin/settings', { type: 'success', message: changes.length ? 'Sign-up settings saved. They apply at once.' : 'Nothing changed.' })
    }),
  )

  router.post(
    '/invitations',
    formAction(render, () => '/admin/invitations', async (ctx) => {
      const { emails } = parseForm(invitationsSchema, ctx.request.body)
      await rateLimits.spendPoints('invitations', ctx.state.user!.id, emails.length, (wait) => `That is more invitations than an hour allows. Try again in ${wait}.`)
      const { created, skipped } = await services.signup.invite(emails, ctx.state.user!.id)
      for (const inv of created) {
        send(ctx, signupInvitationMessage(inv.email, { inviterName: ctx.state.user!.name, link: inviteLink(inv.token), expiresAt: inv.expiresAt }, config.appOrigin), 'sign-up invitation')
        await services.admin.record(actorOf(ctx), 'invitation.send', { email: inv.email })
      }
      const parts = []
      if (created.length) parts.push(`Invited ${created.map((i) => i.email).join(', ')}.`)
      if (skipped.length) parts.push(`Not invited: ${skipped.map((s) => `${s.email} (${s.reason})`).join(', ')}.`)
      redirectTo(ctx, deps, '/admin/invitations', { type: created.length ? 'success' : 'info', message: parts.join(' ') })
    }),
  )

  const inviteLink = (token: string) => `${config.appOrigin}/register?invite=${encodeURIComponent(token)}`

  router.post('/invitations/:id/resend', async (ctx) => {
    const inv = await services.signup.resend(ctx.params.id)
    send(ctx, signupInvitationMessage(inv.email, { inviterName: ctx.state.user!.name, link: inviteLink(inv.token), expiresAt: inv.expiresAt }, config.appOrigin), 'sign-up invitation')
    await services.admin.record(actorOf(ctx), 'invitation.resend', { email: inv.email })
    redirectTo(ctx, deps, '/admin/invitations', { type: 'success', message: `A new link was sent to ${inv.email}; the old one no longer works.` })
  })

  router.post('/invitations/:id/revoke', async (ctx) => {
    const inv = await services.signup.revoke(ctx.params.id)
    await services.admin.record(actorOf(ctx), 'invitation.revoke', { email: inv.email })
    redirectTo(ctx, deps, '/admin/invitations', { type: 'success', message: `The invitation to ${inv.email} was withdrawn: its link no longer works.` })
  })

  router.post(
    '/mail/test',
    formAction(render, () => '/admin/mail', async (ctx) => {
      const { email } = parseForm(mailTestSchema, ctx.request.body)
      await rateLimits.spend('mailTest', ctx.state.user!.id)
      let answer: string
      try {
        answer = await withTimeout(mailer.send(testMessage(email, ctx.state.user!.email, config.appOrigin)), TEST_MAIL_TIMEOUT_MS)
      } catch (err) {
        ctx.state.log.warn({ err }, 'test mail failed')
        await services.admin.record(actorOf(ctx), 'mail.test', { email }, 'failed')
        // The transport's own words, with any credentials in a URL masked.
        throw new ValidationError({ email: `The message could not be sent: ${maskCredentials(String((err as Error)?.message ?? err))}` })
      }
      await services.admin.record(actorOf(ctx), 'mail.test', { email }, answer.slice(0, 200))
      redirectTo(ctx, deps, '/admin/mail', { type: 'success', message: `Test message sent to ${email}. The transport answered: ${maskCredentials(answer).slice(0, 300)}` })
    }),
  )

  // --- One user's actions (/admin/users/:id). Each ends with the user's page and a flash.
  const userPage = (id: string) => `/admin/users/${id}`
  /** A refusal (your own account) shows on the user's page. */
  const userAction = (handler: Middleware) => formAction(render, (ctx) => userPage(String(ctx.params.id)), handler)
  /** The user sees in their own activity what an administrator did to their account (issue 25). */
  const tellUser = (ctx: Context, userId: string, detail: string) =>
    recordEvents(ctx, deps, [{ readerId: userId, kind: 'admin_action', details: { actorId: ctx.state.user!.id, ip: ctx.ip, detail } }])

  router.post('/users/:id/disable', userAction(async (ctx) => {
    const user = await services.admin.setDisabled(actorOf(ctx), ctx.params.id, true)
    // The row first, then the sessions: a login racing with this re-checks the row (routes/auth.ts).
    await sessionIndex.revokeUserSessions(user.id)
    if (user.changed) await tellUser(ctx, user.id, 'disabled the account and logged it out everywhere')
    if (user.changed) send(ctx, accountDisabledMessage(user, true, config.appOrigin), 'account disabled')
    redirectTo(ctx, deps, userPage(user.id), { type: 'success', message: `${user.email} is disabled and was logged out everywhere.` })
  }))

  router.post('/users/:id/enable', userAction(async (ctx) => {
    const user = await services.admin.setDisabled(actorOf(ctx), ctx.params.id, false)
    if (user.changed) await tellUser(ctx, user.id, 'enabled the account again')
    if (user.changed) send(ctx, accountDisabledMessage(user, false, config.appOrigin), 'account enabled')
    redirectTo(ctx, deps, userPage(user.id), { type: 'success', message: `${user.email} can log in again.` })
  }))

  router.post('/users/:id/logout', userAction(async (ctx) => {
    const user = await services.admin.recordOn(actorOf(ctx), ctx.params.id, 'user.logout')
    // Their own sessions but this one, when administrators log themselves out everywhere else.
    await sessionIndex.revokeUserSessions(user.id, user.id === ctx.state.user!.id ? ctx.state.sessionId : undefined)
    await tellUser(ctx, user.id, 'logged the account out everywhere')
    redirectTo(ctx, deps, userPage(user.id), { type: 'success', message: `${user.email} was logged out everywhere.` })
  }))

  router.post('/users/:id/2fa-off', userAction(async (ctx) => {
    const user = await services.admin.turnOffTwoFactor(actorOf(ctx), ctx.params.id)
    if (user.wasOn) {
      // Their sessions learn it (an administrator's /admin closes with it).
      await updateSessionUser(ctx, deps, user.id, { twoFactor: false })
      await tellUser(ctx, user.id, 'turned two-factor authentication off')
      send(ctx, twoFactorOffByAdminMessage(user, config.appOrigin), 'two-factor off by admin')
    }
    const self = user.id === ctx.state.user!.id
    redirectTo(ctx, deps, self ? '/dashboard' : userPage(user.id), {
      type: 'success',
      message: user.wasOn ? `Two-factor is off for ${user.email}. They were told by email.` : `${user.email} did not have two-factor on.`,
    })
  }))

  router.post('/users/:id/resend-verification', userAction(async (ctx) => {
    const user = await services.admin.requireUser(ctx.params.id)
    if (user.verifiedAt) return redirectTo(ctx, deps, userPage(user.id), { type: 'info', message: `${user.email} is already verified.` })
    await rateLimits.spend('verifyResend', user.id)
    const link = `${config.appOrigin}/verify?token=${encodeURIComponent(services.users.verificationToken(user))}`
    send(ctx, verificationMessage(user, link), 'verification')
    await services.admin.record(actorOf(ctx), 'user.resend_verification', user)
    await tellUser(ctx, user.id, 'sent a new email verification link')
    redirectTo(ctx, deps, userPage(user.id), { type: 'success', message: `A new verification link was sent to ${user.email}.` })
  }))

  router.post(
    '/users/:id/delete',
    formAction(render, (ctx) => userPage(String(ctx.params.id)), async (ctx) => {
      const target = await services.admin.requireUser(ctx.params.id)
      const { confirm } = parseForm(deleteUserSchema, ctx.request.body)
      if (confirm.toLowerCase() !== target.email.toLowerCase()) throw new ValidationError({ confirm: `Type ${target.email} exactly to confirm.` })
      const user = await services.admin.deleteUser(actorOf(ctx), target.id)
      await sessionIndex.revokeUserSessions(user.id)
      redirectTo(ctx, deps, '/admin/users', { type: 'success', message: `The account of ${user.email} was deleted.` })
    }),
  )

  return router
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the mail server within ${ms / 1000} seconds`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Any URL's user and password in a transport's message, masked. */
const maskCredentials = (text: string) => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@[^\s]+/gi, (url) => maskUrl(url))
