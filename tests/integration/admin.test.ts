// Running an instance over HTTP (issue 24): the /admin gate (404 to everyone but an administrator
// with two-factor, the re-authentication window), the sign-up policy and domains, invitations (the
// link is spent once, even by parallel registrations), disabling a user mid-session, deleting one,
// the test mail, the log, and `npm run admin`. On a database and server of this file's own: the
// policy is one row for the whole instance, and the suite's shared servers must keep open sign-up.
import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { QueryTypes } from 'sequelize'
import * as OTPAuth from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD, textOf } from '../helpers/http.js'
import { ownRedisPrefix, startServer, type TestServer } from '../helpers/server.js'
import { mailTo } from '../helpers/mail.js'
import { createSequelize } from '../../server/lib/db.js'
import { initModels } from '../../models/index.js'
import { createServices } from '../../server/services/index.js'
import { TEST_KDF, TEST_LIMITS } from '../helpers/context.js'

const base = process.env.DATABASE_URL
if (!base) throw new Error('DATABASE_URL is not set: run the suite with `npm test`')
const dbName = `nid_admin_${randomBytes(4).toString('hex')}`
const dbUrl = new URL(base)
dbUrl.pathname = `/${dbName}`
const pgAdmin = new pg.Client({ connectionString: base })

const tag = randomBytes(3).toString('hex')
const ADMIN = `boss-${tag}@example.test`
const ADMIN_NO_2FA = `boss2-${tag}@example.test`
// Short, so that the window's end can be waited for; each step unlocks again first (unlocked()).
// 3 s was shorter than one step on a loaded machine.
const REAUTH_SECONDS = 10
const redisPrefix = ownRedisPrefix('admin')

let server: TestServer
let db: ReturnType<typeof open>
const open = () => {
  const sequelize = createSequelize(dbUrl.toString(), { poolMax: 2 })
  const models = initModels(sequelize)
  return { sequelize, services: createServices({ sequelize, models, kdf: TEST_KDF, tokenKeys: [Buffer.alloc(32, 7)], limits: TEST_LIMITS }) }
}

beforeAll(async () => {
  await pgAdmin.connect()
  await pgAdmin.query(`CREATE DATABASE ${dbName}`)
  server = await startServer({
    DATABASE_URL: dbUrl.toString(),
    REDIS_PREFIX: redisPrefix,
    ADMIN_EMAILS: `${ADMIN.toUpperCase()}, ${ADMIN_NO_2FA}`,
    ADMIN_REAUTH_SECONDS: String(REAUTH_SECONDS),
  })
  db = open()
}, 120_000)

afterAll(async () => {
  await server?.stop()
  await db?.sequelize.close()
  await pgAdmin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await pgAdmin.end()
})

const at = () => ({ server: server.origin })
const post = (c: Client, path: string, form: Record<string, string> = {}) => c.post(path, form, { ...at(), tokenPage: '/dashboard' })
const get = (c: Client, path: string) => c.get(path, at())

async function register(name: string, email = `${name.toLowerCase().replace(/\W+/g, '-')}-${randomBytes(4).toString('hex')}@example.test`) {
  const c = new Client()
  const res = await c.post('/register', { name, email, password: PASSWORD, password_confirm: PASSWORD }, { ...at(), tokenPage: '/register' })
  expect(res.status, textOf(await res.text()).slice(0, 300)).toBe(303)
  return { c, email }
}

async function login(email: string) {
  const c = new Client()
  const res = await c.login(email, PASSWORD, server.origin)
  return { c, res }
}

/** Turns two-factor on with the previous step's code (so the current one is still unused), then logs in with both steps. */
async function withTwoFactor(email: string) {
  const secret = new OTPAuth.Secret({ size: 20 }).base32
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: 30, digits: 6 })
  const found = await db.services.users.authenticate(email, PASSWORD)
  const earlier = Date.now() - 30_000
  await db.services.twoFactor.enable({ userId: found!.user.id, vaultKey: found!.vaultKey }, { secret, code: totp.generate({ timestamp: earlier }), password: PASSWORD }, earlier)
  const { c, res } = await login(email)
  expect(res.headers.get('location')).toBe('/login/2fa')
  const second = await c.post('/login/2fa', { code: totp.generate() }, { ...at(), tokenPage: '/login/2fa' })
  expect(second.status).toBe(303)
  return c
}

const ADMIN_PAGES = ['/admin', '/admin/users', `/admin/users/${randomUUID()}`, '/admin/invitations', '/admin/settings', '/admin/mail', '/admin/diagnostics', '/admin/log', '/admin/unlock', '/admin/nothing-here']
const ADMIN_ACTIONS = [
  '/admin/unlock',
  '/admin/settings',
  '/admin/invitations',
  `/admin/invitations/${randomUUID()}/resend`,
  `/admin/invitations/${randomUUID()}/revoke`,
  '/admin/mail/test',
  `/admin/users/${randomUUID()}/disable`,
  `/admin/users/${randomUUID()}/enable`,
  `/admin/users/${randomUUID()}/logout`,
  `/admin/users/${randomUUID()}/2fa-off`,
  `/admin/users/${randomUUID()}/resend-verification`,
  `/admin/users/${randomUUID()}/delete`,
]

let boss: Client
let member: { c: Client; email: string }

describe('who reaches /admin', () => {
  it('ADMIN_EMAILS makes an administrator at registration (any case); others are not', async () => {
    const a = await register('Boss', ADMIN)
    await register('Boss Two', ADMIN_NO_2FA)
    member = await register('Member')
    const roles = await db.sequelize.query<{ email: string; is_admin: boolean }>('SELECT email, is_admin FROM users ORDER BY email', { type: QueryTypes.SELECT })
    expect(roles.find((r) => r.email === ADMIN)?.is_admin).toBe(true)
    expect(roles.find((r) => r.email === member.email)?.is_admin).toBe(false)
    // The nav shows the way in only to an administrator who can use it (two-factor on, below).
    expect(await (await get(a.c, '/dashboard')).text()).not.toContain('href="/admin"')
    expect(await (await get(member.c, '/dashboard')).text()).not.toContain('href="/admin"')
  })

  it('answers 404 on every page and action to a visitor, a member and an administrator without two-factor', async () => {
    const noTwoFactor = (await login(ADMIN_NO_2FA)).c
    for (const [who, c] of [['visitor', new Client()], ['member', member.c], ['admin without 2FA', noTwoFactor]] as const) {
      for (const path of ADMIN_PAGES) expect((await get(c, path)).status, `${who} GET ${path}`).toBe(404)
      const token = who === 'visitor' ? await c.csrf('/login', server.origin) : await c.csrf('/dashboard', server.origin)
      for (const path of ADMIN_ACTIONS) {
        const res = await c.request(path, { ...at(), method: 'POST', form: { _csrf: token, password: PASSWORD, signup_policy: 'closed', emails: 'x@example.test', email: 'x@example.test', confirm: 'x' } })
        expect(res.status, `${who} POST ${path}`).toBe(404)
      }
    }
    // Nothing those posts named happened.
    const [policy] = await db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM instance_settings', { type: QueryTypes.SELECT })
    expect(policy!.n).toBe(0)
  })

  it('opens for an administrator with two-factor, and asks for the password again once the window passes', async () => {
    boss = await withTwoFactor(ADMIN)
    const dashboard = await (await get(boss, '/dashboard')).text()
    expect(dashboard).toContain('href="/admin"')
    const overview = await get(boss, '/admin')
    expect(overview.status).toBe(200)
    const html = await overview.text()
    expect(textOf(html)).toMatch(/cannot open anyone's vault/i)
    // The admin styles are a stylesheet of their own, in the server's HTML of /admin only: the
    // dashboard links the global one alone (ADR 039).
    const sheets = (page: string) => [...page.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/gi)].map(([tag]) => /href="([^"]+)"/.exec(tag)![1]!)
    const adminSheet = sheets(html).find((href) => /\/admin\.[\w-]+\.css$/.test(href))
    expect(adminSheet, sheets(html).join(' ')).toBeDefined()
    expect(sheets(html)).toHaveLength(2)
    expect(sheets(dashboard)).toEqual(sheets(html).filter((href) => href !== adminSheet))
    const css = await fetch(`${server.url}${adminSheet}`)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
    expect(await css.text()).toContain('.admin-nav')
    await new Promise((r) => setTimeout(r, REAUTH_SECONDS * 1000 + 300))
    const later = await get(boss, '/admin/users?q=boss')
    expect(later.status).toBe(303)
    expect(later.headers.get('location')).toBe(`/admin/unlock?next=${encodeURIComponent('/admin/users?q=boss')}`)
    // An action after the window: nothing done, back to the unlock page.
    const action = await post(boss, '/admin/settings', { signup_policy: 'closed', signup_domains: '' })
    expect(action.status).toBe(303)
    expect(action.headers.get('location')).toMatch(/^\/admin\/unlock\?next=/)
    // Whatever a client sends as Referer, it is sent to unlock, never a 5xx.
    for (const referer of ['http://[', '::::', `${server.origin}/admin/users?q=x`, 'https://evil.example/admin/log']) {
      const res = await boss.request('/admin/settings', { ...at(), method: 'POST', headers: { referer }, form: { _csrf: await boss.csrf('/dashboard', server.origin), signup_policy: 'closed' } })
      expect(res.status, referer).toBe(303)
      expect(res.headers.get('location')).toMatch(/^\/admin\/unlock\?next=%2Fadmin/)
    }
    expect((await db.services.signup.rules()).policy).toBe('open')

    const wrong = await post(boss, '/admin/unlock', { password: 'not the password at all', next: '/admin/users?q=boss' })
    expect(wrong.status).toBe(422)
    expect(textOf(await wrong.text())).toContain('This is not your master password.')
    const sidBefore = boss.cookie('nid.sid')
    const right = await post(boss, '/admin/unlock', { password: PASSWORD, next: '/admin/users?q=boss' })
    expect(right.status).toBe(303)
    expect(right.headers.get('location')).toBe('/admin/users?q=boss')
    // A privilege change: a new session id.
    expect(boss.cookie('nid.sid')).not.toBe(sidBefore)
    expect((await get(boss, '/admin/users?q=boss')).status).toBe(200)
    // `next` never leaves /admin.
    await new Promise((r) => setTimeout(r, REAUTH_SECONDS * 1000 + 300))
    const away = await post(boss, '/admin/unlock', { password: PASSWORD, next: '//evil.example/x' })
    expect(away.headers.get('location')).toBe('/admin')
  }, 120_000)
})

/** Unlocks again (the window is seconds long in this file). */
async function unlocked() {
  const res = await post(boss, '/admin/unlock', { password: PASSWORD, next: '/admin' })
  expect(res.status).toBe(303)
  return boss
}

describe('sign-up policy', () => {
  it('closed: /register says so and refuses; invitation only: refused without a link; domains: refused next to the field', async () => {
    await unlocked()
    expect((await post(boss, '/admin/settings', { signup_policy: 'closed', signup_domains: '' })).status).toBe(303)
    const visitor = new Client()
    expect(textOf(await (await visitor.get('/register', at())).text())).toContain('Sign-up is closed on this server')
    const closed = await visitor.request('/register', { ...at(), method: 'POST', form: { _csrf: await visitor.csrf('/login', server.origin), name: 'X', email: `x-${tag}@example.test`, password: PASSWORD, password_confirm: PASSWORD } })
    expect(closed.status).toBe(403)

    await unlocked()
    expect((await post(boss, '/admin/settings', { signup_policy: 'invite', signup_domains: '' })).status).toBe(303)
    expect(textOf(await (await visitor.get('/register', at())).text())).toContain('by invitation only')
    const noLink = await visitor.post('/register', { name: 'X', email: `y-${tag}@example.test`, password: PASSWORD, password_confirm: PASSWORD }, { ...at(), tokenPage: '/login' })
    expect(noLink.status).toBe(403)

    await unlocked()
    const bad = await post(boss, '/admin/settings', { signup_policy: 'open', signup_domains: 'good.example\nnot a domain' })
    expect(bad.status).toBe(422)
    expect(textOf(await bad.text())).toContain('"not" is not a domain name')
    expect((await post(boss, '/admin/settings', { signup_policy: 'open', signup_domains: '@Good.example, other.example' })).status).toBe(303)
    const refused = await visitor.post('/register', { name: 'X', email: `z-${tag}@elsewhere.example`, password: PASSWORD, password_confirm: PASSWORD }, { ...at(), tokenPage: '/login' })
    expect(refused.status).toBe(422)
    expect(textOf(await refused.text())).toContain('Only addresses at good.example or other.example can sign up on this server.')
    await register('Allowed', `allowed-${tag}@good.example`)
    // The page itself says so before anyone types.
    expect(textOf(await (await new Client().get('/register', at())).text())).toContain('Only addresses at good.example or other.example can sign up here.')
  }, 60_000)

  it('an invitation: mailed link, address fixed, spent once even by parallel registrations; resend kills the old link; withdraw', async () => {
    await unlocked()
    expect((await post(boss, '/admin/settings', { signup_policy: 'invite', signup_domains: '' })).status).toBe(303)
    const invitee = `invitee-${tag}@example.test`
    const gone = `gone-${tag}@example.test`
    const sent = await post(boss, '/admin/invitations', { emails: `${invitee}, ${gone}\n${ADMIN}` })
    expect(sent.status).toBe(303)
    const linkOf = async (to: string) => {
      for (let i = 0; i < 50; i++) {
        const m = (await mailTo(to)).reverse().map((x) => x.body.match(/\/register\?invite=([\w-]+)/)?.[1]).find(Boolean)
        if (m) return m
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`no invitation mail to ${to}`)
    }
    const first = await linkOf(invitee)
    // Resend: a new link, the old one dead.
    const [row] = await db.sequelize.query<{ id: string }>('SELECT id FROM signup_invitations WHERE email = :e', { replacements: { e: invitee }, type: QueryTypes.SELECT })
    const before = (await mailTo(invitee)).length
    await unlocked()
    expect((await post(boss, `/admin/invitations/${row!.id}/resend`)).status).toBe(303)
    for (let i = 0; i < 50 && (await mailTo(invitee)).length === before; i++) await new Promise((r) => setTimeout(r, 100))
    const token = await linkOf(invitee)
    expect(token).not.toBe(first)
    expect(textOf(await (await new Client().get(`/register?invite=${first}`, at())).text())).toContain('already been used, has expired or was withdrawn')

    const page = await (await new Client().get(`/register?invite=${token}`, at())).text()
    expect(page).toContain(`value="${invitee}"`)
    expect(page).toMatch(/name="email"[^>]*readonly|readonly[^>]*name="email"/)

    // Five registrations race with the one link, each claiming another address: one account, at the invited one.
    const racers = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const c = new Client()
        const _csrf = await c.csrf('/login', server.origin)
        return c.request('/register', { ...at(), method: 'POST', form: { _csrf, invite: token, name: `Racer ${i}`, email: `racer${i}-${tag}@example.test`, password: PASSWORD, password_confirm: PASSWORD } })
      }),
    )
    expect(racers.map((r) => r.status).sort()).toEqual([303, 422, 422, 422, 422])
    const accounts = await db.sequelize.query<{ email: string }>(`SELECT email FROM users WHERE email = :e OR email LIKE :r`, { replacements: { e: invitee, r: `racer%-${tag}@example.test` }, type: QueryTypes.SELECT })
    expect(accounts.map((a) => a.email)).toEqual([invitee])

    // Withdrawn: its link stops working.
    const [goneRow] = await db.sequelize.query<{ id: string }>('SELECT id FROM signup_invitations WHERE email = :e', { replacements: { e: gone }, type: QueryTypes.SELECT })
    const goneToken = await linkOf(gone)
    await unlocked()
    expect((await post(boss, `/admin/invitations/${goneRow!.id}/revoke`)).status).toBe(303)
    expect(textOf(await (await new Client().get(`/register?invite=${goneToken}`, at())).text())).toContain('was withdrawn')
    // The list says what happened to each; the existing account was not invited.
    const list = textOf(await (await get(boss, '/admin/invitations')).text())
    expect(list).toContain(invitee)
    const [skipped] = await db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM signup_invitations WHERE email = :e', { replacements: { e: ADMIN }, type: QueryTypes.SELECT })
    expect(skipped!.n).toBe(0)

    await unlocked()
    expect((await post(boss, '/admin/settings', { signup_policy: 'open', signup_domains: '' })).status).toBe(303)
  }, 60_000)
})

describe('looking after users', () => {
  it('disabling ends the user’s sessions at once; login then says the account is disabled; enabling lets them in', async () => {
    const victim = await register('Victim')
    expect((await get(victim.c, '/dashboard')).status).toBe(200)
    const [{ id }] = (await db.sequelize.query<{ id: string }>('SELECT id FROM users WHERE email = :e', { replacements: { e: victim.email }, type: QueryTypes.SELECT })) as [{ id: string }]
    await unlocked()
    expect((await post(boss, `/admin/users/${id}/disable`)).status).toBe(303)
    const next = await get(victim.c, '/dashboard')
    expect(next.status).toBe(303)
    expect(next.headers.get('location')).toMatch(/^\/login/)
    const again = await login(victim.email)
    expect(again.res.status).toBe(422)
    expect(textOf(await again.res.text())).toContain('This account is disabled.')
    // A wrong password is told only that: a guesser learns nothing about the account.
    const guess = await new Client().login(victim.email, 'wrong password entirely here', server.origin)
    expect(textOf(await guess.text())).not.toContain('disabled')
    expect((await post(boss, `/admin/users/${id}/enable`)).status).toBe(303)
    expect((await login(victim.email)).res.status).toBe(303)
    // An administrator cannot disable or delete themselves here.
    const [{ id: bossId }] = (await db.sequelize.query<{ id: string }>('SELECT id FROM users WHERE email = :e', { replacements: { e: ADMIN }, type: QueryTypes.SELECT })) as [{ id: string }]
    const self = await post(boss, `/admin/users/${bossId}/disable`)
    expect(self.status).toBe(422)
    expect(textOf(await self.text())).toContain('You cannot disable your own account here.')
  }, 90_000)

  it('users table: search, sort and paging on the server; unknown or malformed ids are 404', async () => {
    await unlocked()
    const page = textOf(await (await get(boss, `/admin/users?q=${encodeURIComponent('victim')}&sort=email`)).text())
    expect(page).toContain('Victim')
    expect(page).not.toContain(ADMIN)
    for (const q of ['?sort=nonsense', '?page=-3', '?page=abc', '?q=%25%5F', '?page=99999999999', '?q[]=a&q[]=b']) expect((await get(boss, `/admin/users${q}`)).status, q).toBe(200)
    expect((await get(boss, `/admin/users/${randomUUID()}`)).status).toBe(404)
    expect((await get(boss, '/admin/users/not-an-id')).status).toBe(404)
    expect((await post(boss, `/admin/users/${randomUUID()}/disable`)).status).toBe(404)
    expect((await post(boss, '/admin/users/%00/logout')).status).toBe(404)
  })

  it('delete needs the email typed; the account and its sessions are gone', async () => {
    const doomed = await register('Doomed')
    const [{ id }] = (await db.sequelize.query<{ id: string }>('SELECT id FROM users WHERE email = :e', { replacements: { e: doomed.email }, type: QueryTypes.SELECT })) as [{ id: string }]
    await unlocked()
    const wrong = await post(boss, `/admin/users/${id}/delete`, { confirm: 'someone@else.example' })
    expect(wrong.status).toBe(422)
    expect(textOf(await wrong.text())).toContain(`Type ${doomed.email} exactly to confirm.`)
    expect((await post(boss, `/admin/users/${id}/delete`, { confirm: doomed.email.toUpperCase() })).status).toBe(303)
    expect((await get(doomed.c, '/dashboard')).status).toBe(303)
    expect((await login(doomed.email)).res.status).toBe(422)
    expect((await get(boss, `/admin/users/${id}`)).status).toBe(404)
  })

  it('test mail reaches the outbox with the transport’s answer; every action is in the log', async () => {
    await unlocked()
    const to = `mailtest-${tag}@example.test`
    const res = await post(boss, '/admin/mail/test', { email: to })
    expect(res.status).toBe(303)
    expect((await mailTo(to)).some((m) => m.subject === 'NucleusID test message')).toBe(true)
    const flashed = textOf(await (await get(boss, '/admin/mail')).text())
    expect(flashed).toContain(`Test message sent to ${to}. The transport answered: written to`)
    const log = textOf(await (await get(boss, '/admin/log')).text())
    for (const action of ['user.disable', 'user.enable', 'user.delete', 'signup.update', 'invitation.send', 'invitation.revoke', 'mail.test']) expect(log).toContain(action)
  })
})

describe('what a client can send', () => {
  it('fuzzed bodies to every action (real and unknown ids) get 303, 404, 422 or 429, never a 5xx', async () => {
    const target = await register('Fuzz Target')
    const [{ id }] = (await db.sequelize.query<{ id: string }>('SELECT id FROM users WHERE email = :e', { replacements: { e: target.email }, type: QueryTypes.SELECT })) as [{ id: string }]
    await unlocked()
    const bodies: Record<string, string>[] = [
      {},
      { emails: 'a'.repeat(30_000) },
      { emails: '\u0000@\u202e.example, , ;;' },
      { signup_policy: 'sometimes', signup_domains: 'x'.repeat(25_000) },
      { signup_policy: 'open', signup_domains: '-bad-.example\n..' },
      { email: '"quoted"@example.test\r\nBcc: x@y.z' },
      { confirm: '%00', password: 'x'.repeat(5000), next: 'javascript:alert(1)' },
    ]
    const paths = [
      '/admin/settings',
      '/admin/invitations',
      '/admin/mail/test',
      `/admin/users/${id}/resend-verification`,
      `/admin/users/${id}/delete`,
      `/admin/users/${id}/2fa-off`,
      `/admin/users/${randomUUID()}/delete`,
      `/admin/invitations/${randomUUID()}/resend`,
      '/admin/invitations/%E0%A4%A/revoke',
    ]
    const token = await boss.csrf('/dashboard', server.origin)
    for (const path of paths) {
      for (const form of bodies) {
        const res = await boss.request(path, { ...at(), method: 'POST', form: { _csrf: token, ...form } })
        expect(res.status, `${path} ${JSON.stringify(form).slice(0, 80)}`).toBeLessThan(500)
        expect(await res.text()).not.toMatch(/at \S+\.(ts|js):\d+/)
      }
    }
    // The policy is still a valid one, and the target still exists.
    expect(['open', 'invite', 'closed']).toContain((await db.services.signup.rules()).policy)
    expect((await db.services.admin.getUser(id)).email).toBe(target.email)
    await unlocked()
    expect((await post(boss, '/admin/settings', { signup_policy: 'open', signup_domains: '' })).status).toBe(303)
  }, 60_000)
})

describe('npm run admin', () => {
  it('grants and revokes the role, ending the user’s sessions', async () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], {
        env: { ...process.env, DATABASE_URL: dbUrl.toString(), REDIS_PREFIX: redisPrefix },
        encoding: 'utf8',
      })
    const someone = await login(member.email)
    expect((await get(someone.c, '/dashboard')).status).toBe(200)
    const grant = cli(['grant', member.email.toUpperCase()])
    expect(grant.status, grant.stderr).toBe(0)
    expect(grant.stdout).toContain('is now an administrator; their sessions were ended.')
    expect(grant.stdout).toContain('two-factor')
    expect((await get(someone.c, '/dashboard')).status).toBe(303)
    const [row] = await db.sequelize.query<{ is_admin: boolean }>('SELECT is_admin FROM users WHERE email = :e', { replacements: { e: member.email }, type: QueryTypes.SELECT })
    expect(row!.is_admin).toBe(true)
    expect(cli(['grant', member.email]).stdout).toContain('Nothing changed')
    expect(cli(['revoke', member.email]).status).toBe(0)
    const missing = cli(['grant', `nobody-${tag}@example.test`])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('No account has the address')
    expect(cli(['promote']).status).toBe(2)
  }, 60_000)
})
