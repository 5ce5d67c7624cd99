// Running an instance in the browser, JavaScript off and on (issue 24): an administrator with
// two-factor reaches /admin (others get 404), sets who may sign up (closed, invitation only, a
// domain list), invites someone who registers with the fixed address from the mailed link, disables
// a user in the middle of their session, is asked for the password again once the window passed,
// sends a test mail, and copies a support text that holds no secret of the running configuration.
//
// Each worker runs its own instance (database, Redis prefix, server): the sign-up policy is one row
// for a whole instance, and the suite's shared servers must keep open sign-up for every other spec.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import * as OTPAuth from 'otpauth'
import pg from 'pg'
import { QueryTypes } from 'sequelize'
import { Redis } from 'ioredis'
import type { Page } from '@playwright/test'
import { test as base, expect, PASSWORD, checkBothThemes, hydrated, mailTo, submitAndWait, uniqueEmail } from './helpers'
import { isJs } from './vault-helpers'
import { createSequelize } from '../../server/lib/db.js'
import { initModels } from '../../models/index.js'
import { createServices } from '../../server/services/index.js'
import { TEST_KDF, TEST_LIMITS } from '../helpers/context.js'

const CANARY_SECRET = `canary-session-secret-${randomBytes(8).toString('hex')}`
const CANARY_DB_PASSWORD = `canaryDbPw${randomBytes(6).toString('hex')}`
const CANARY_METRICS = `canary-metrics-token-${randomBytes(8).toString('hex')}`

interface Instance {
  url: string
  redisPrefix: string
  services: ReturnType<typeof createServices>
  sequelize: ReturnType<typeof createSequelize>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

const test = base.extend<object, { instance: Instance }>({
  instance: [
    async ({}, use, workerInfo) => {
      const base = process.env.DATABASE_URL!
      const name = `nid_e2e_admin_${workerInfo.workerIndex}_${randomBytes(3).toString('hex')}`
      const pgAdmin = new pg.Client({ connectionString: base })
      await pgAdmin.connect()
      await pgAdmin.query(`CREATE DATABASE ${name}`)
      const dbUrl = new URL(base)
      dbUrl.pathname = `/${name}`
      // Trust authentication ignores a password, so the URL can carry a canary the support text must not show.
      if (dbUrl.username && !dbUrl.password) dbUrl.password = CANARY_DB_PASSWORD
      const port = await freePort()
      const redisPrefix = `${process.env.REDIS_PREFIX}e2e-admin-${randomBytes(3).toString('hex')}:`
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          PORT: String(port),
          APP_ORIGIN: `http://localhost:${port}`,
          DATABASE_URL: dbUrl.toString(),
          REDIS_PREFIX: redisPrefix,
          SESSION_SECRETS: CANARY_SECRET,
          METRICS_TOKEN: CANARY_METRICS,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr!.on('data', (d) => (stderr += d))
      const url = `http://localhost:${port}`
      let ready = false
      for (let i = 0; i < 600 && !ready && child.exitCode === null; i++) {
        ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false)
        if (!ready) await new Promise((r) => setTimeout(r, 150))
      }
      if (!ready) throw new Error(`admin instance did not start: ${stderr}`)
      const sequelize = createSequelize(dbUrl.toString(), { poolMax: 2 })
      const services = createServices({ sequelize, models: initModels(sequelize), kdf: TEST_KDF, tokenKeys: [Buffer.alloc(32, 7)], limits: TEST_LIMITS })
      await use({ url, redisPrefix, services, sequelize })
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      await sequelize.close()
      await pgAdmin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await pgAdmin.end()
    },
    { scope: 'worker', timeout: 120_000 },
  ],
})

interface Person {
  id: string
  name: string
  email: string
}

/** A user made through the services (fast); `admin` gives the role and turns two-factor on (previous step's code, so the current one is free). */
async function seed(inst: Instance, tag: string, opts: { admin?: boolean } = {}) {
  const email = uniqueEmail(tag)
  const name = `Kim ${tag}`
  const { user, vaultKey } = await inst.services.users.register({ name, email, password: PASSWORD })
  let totp: OTPAuth.TOTP | null = null
  if (opts.admin) {
    await inst.sequelize.query('UPDATE users SET is_admin = true WHERE id = :id', { replacements: { id: user.id }, type: QueryTypes.UPDATE })
    const secret = new OTPAuth.Secret({ size: 20 }).base32
    totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: 30, digits: 6 })
    const earlier = Date.now() - 30_000
    await inst.services.twoFactor.enable({ userId: user.id, vaultKey }, { secret, code: totp.generate({ timestamp: earlier }), password: PASSWORD }, earlier)
  }
  return { person: { id: user.id, name, email } as Person, totp }
}

async function logIn(page: Page, inst: Instance, email: string, totp: OTPAuth.TOTP | null) {
  await page.goto(`${inst.url}/login`)
  await hydrated(page)
  await page.getByLabel('Email', { exact: true }).fill(email)
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD)
  await submitAndWait(page, '/login', () => page.getByRole('button', { name: 'Log in', exact: true }).click())
  if (totp) {
    await expect(page).toHaveURL(/\/login\/2fa$/)
    await hydrated(page)
    await page.getByLabel('Authentication code').fill(totp.generate())
    await submitAndWait(page, '/login/2fa', () => page.getByRole('button', { name: 'Verify and log in' }).click())
  }
  await expect(page).toHaveURL(/\/dashboard$/)
  await hydrated(page)
}

async function go(page: Page, inst: Instance, path: string) {
  const res = await page.goto(`${inst.url}${path}`)
  await hydrated(page)
  return res
}

async function setPolicy(page: Page, inst: Instance, policy: 'Open: anyone can create an account' | 'Invitation only' | 'Closed: nobody can create an account', domains = '') {
  await go(page, inst, '/admin/settings')
  await page.getByLabel(policy).check()
  await page.getByLabel('Allowed email domains').fill(domains)
  await submitAndWait(page, '/admin/settings', () => page.getByRole('button', { name: 'Save sign-up settings' }).click())
  await expect(page.getByTestId('flash')).toContainText('Sign-up settings saved')
}

test('an administrator with two-factor reaches every section; a member and an administrator without two-factor get 404', async ({ page, browser, instance, consoleGuard }) => {
  // axe in both themes on seven pages (JavaScript project).
  test.slow()
  consoleGuard.allow(/status of 404/)
  const { person: boss, totp } = await seed(instance, 'boss', { admin: true })
  await logIn(page, instance, boss.email, totp)
  await page.getByRole('link', { name: 'Admin', exact: true }).first().click()
  await expect(page).toHaveURL(/\/admin$/)
  await expect(page.getByRole('heading', { name: 'Administration' })).toBeVisible()
  await expect(page.getByText("cannot open anyone's vault")).toBeVisible()
  for (const [label, path] of [
    ['Users', '/admin/users'],
    ['Invitations', '/admin/invitations'],
    ['Sign-up', '/admin/settings'],
    ['Mail', '/admin/mail'],
    ['Diagnostics', '/admin/diagnostics'],
    ['Log', '/admin/log'],
  ] as const) {
    await page.getByRole('navigation', { name: /admin/i }).getByRole('link', { name: label, exact: true }).click()
    await expect(page).toHaveURL(new RegExp(`${path}$`))
    await expect(page.getByRole('navigation', { name: /admin/i }).getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page')
    if (isJs()) await checkBothThemes(page, path)
  }

  for (const opts of [{ admin: false }, { admin: true, noTwoFactor: true }]) {
    const { person } = await seed(instance, opts.admin ? 'half' : 'member')
    if (opts.admin) await instance.sequelize.query('UPDATE users SET is_admin = true WHERE id = :id', { replacements: { id: person.id }, type: QueryTypes.UPDATE })
    const ctx = await browser.newContext({ javaScriptEnabled: isJs() })
    const other = await ctx.newPage()
    await logIn(other, instance, person.email, null)
    await expect(other.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0)
    for (const path of ['/admin', '/admin/users', '/admin/unlock', '/admin/diagnostics']) {
      const res = await go(other, instance, path)
      expect(res!.status(), path).toBe(404)
      await expect(other.getByRole('heading', { name: 'Not found' })).toBeVisible()
    }
    await ctx.close()
  }
})

test('closed and invitation-only sign-up, and the domain allow-list, as a visitor sees them', async ({ page, browser, instance, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const { person: boss, totp } = await seed(instance, 'policy', { admin: true })
  await logIn(page, instance, boss.email, totp)
  const visitorCtx = await browser.newContext({ javaScriptEnabled: isJs() })
  const visitor = await visitorCtx.newPage()

  await setPolicy(page, instance, 'Closed: nobody can create an account')
  await go(visitor, instance, '/register')
  await expect(visitor.getByText('Sign-up is closed on this server. Ask its administrator for an account.')).toBeVisible()
  await expect(visitor.getByRole('button', { name: 'Create account' })).toHaveCount(0)

  await setPolicy(page, instance, 'Invitation only')
  await go(visitor, instance, '/register')
  await expect(visitor.getByText(/Sign-up on this server is by invitation only/)).toBeVisible()
  await expect(visitor.getByRole('button', { name: 'Create account' })).toHaveCount(0)

  await setPolicy(page, instance, 'Open: anyone can create an account', 'allowed.example\nsecond.example')
  await go(visitor, instance, '/register')
  await expect(visitor.getByText('Only addresses at allowed.example or second.example can sign up here.')).toBeVisible()
  await visitor.getByLabel('Name', { exact: true }).fill('Outsider')
  await visitor.getByLabel('Email', { exact: true }).fill(`outsider-${randomBytes(3).toString('hex')}@elsewhere.example`)
  await visitor.getByLabel('Master password', { exact: true }).fill(PASSWORD)
  await visitor.getByLabel('Repeat master password', { exact: true }).fill(PASSWORD)
  const refused = await submitAndWait(visitor, '/register', () => visitor.getByRole('button', { name: 'Create account' }).click())
  expect(refused.status()).toBe(422)
  const emailField = visitor.getByLabel('Email', { exact: true })
  await expect(emailField).toHaveAttribute('aria-invalid', 'true')
  await expect(visitor.getByText('Only addresses at allowed.example or second.example can sign up on this server.')).toBeVisible()
  await emailField.fill(`insider-${randomBytes(3).toString('hex')}@second.example`)
  await visitor.getByLabel('Master password', { exact: true }).fill(PASSWORD)
  await visitor.getByLabel('Repeat master password', { exact: true }).fill(PASSWORD)
  await submitAndWait(visitor, '/register', () => visitor.getByRole('button', { name: 'Create account' }).click())
  await expect(visitor).toHaveURL(/\/register\/recovery-code$/)
  await visitorCtx.close()
  await setPolicy(page, instance, 'Open: anyone can create an account')
})

test('invite by email: the mailed link opens registration with the address fixed, and is spent', async ({ page, browser, instance }) => {
  const { person: boss, totp } = await seed(instance, 'inviter', { admin: true })
  await logIn(page, instance, boss.email, totp)
  await setPolicy(page, instance, 'Invitation only')
  const invitee = uniqueEmail('invitee')
  await go(page, instance, '/admin/invitations')
  await page.getByLabel('Email addresses').fill(invitee)
  await submitAndWait(page, '/admin/invitations', () => page.getByRole('button', { name: 'Send invitations' }).click())
  await expect(page.getByTestId('flash')).toContainText(`Invited ${invitee}.`)
  await expect(page.getByRole('rowheader', { name: invitee })).toBeVisible()

  let link: string | undefined
  for (let i = 0; i < 50 && !link; i++) {
    link = (await mailTo(invitee)).map((m) => m.body.match(/https?:\/\/\S+\/register\?invite=[\w-]+/)?.[0]).find(Boolean)
    if (!link) await page.waitForTimeout(100)
  }
  expect(link, 'the invitation mail').toBeTruthy()

  const ctx = await browser.newContext({ javaScriptEnabled: isJs() })
  const visitor = await ctx.newPage()
  await visitor.goto(link!)
  await hydrated(visitor)
  const email = visitor.getByLabel('Email', { exact: true })
  await expect(email).toHaveValue(invitee)
  await expect(email).toHaveAttribute('readonly', '')
  await visitor.getByLabel('Name', { exact: true }).fill('Invited Person')
  await visitor.getByLabel('Master password', { exact: true }).fill(PASSWORD)
  await visitor.getByLabel('Repeat master password', { exact: true }).fill(PASSWORD)
  await submitAndWait(visitor, '/register', () => visitor.getByRole('button', { name: 'Create account' }).click())
  await expect(visitor).toHaveURL(/\/register\/recovery-code$/)
  await ctx.close()

  // The link is spent: a second visitor is told so, and gets no form.
  const again = await (await browser.newContext({ javaScriptEnabled: isJs() })).newPage()
  await again.goto(link!)
  await expect(again.getByText(/already been used, has expired or was withdrawn/)).toBeVisible()
  await expect(again.getByRole('button', { name: 'Create account' })).toHaveCount(0)
  await again.context().close()
  await go(page, instance, '/admin/invitations')
  await expect(page.getByRole('main').getByRole('row', { name: new RegExp(invitee) })).toContainText(/used/i)
  await setPolicy(page, instance, 'Open: anyone can create an account')
})

test('disable a user in the middle of their session: their next request lands on /login, and login says why', async ({ page, browser, instance, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const { person: boss, totp } = await seed(instance, 'disabler', { admin: true })
  const { person: user } = await seed(instance, 'victim')
  const ctx = await browser.newContext({ javaScriptEnabled: isJs() })
  const victim = await ctx.newPage()
  await logIn(victim, instance, user.email, null)

  await logIn(page, instance, boss.email, totp)
  await go(page, instance, `/admin/users?q=${encodeURIComponent(user.email)}`)
  await page.getByRole('link', { name: user.name }).first().click()
  await expect(page).toHaveURL(new RegExp(`/admin/users/${user.id}$`))
  await hydrated(page)
  await submitAndWait(page, `/admin/users/${user.id}/disable`, () => page.getByRole('button', { name: 'Disable account' }).click())
  await expect(page.getByTestId('flash')).toContainText(`${user.email} is disabled`)

  await victim.reload()
  await expect(victim).toHaveURL(/\/login(\?|$)/)
  await hydrated(victim)
  await victim.getByLabel('Email', { exact: true }).fill(user.email)
  await victim.getByLabel('Master password', { exact: true }).fill(PASSWORD)
  await submitAndWait(victim, '/login', () => victim.getByRole('button', { name: 'Log in', exact: true }).click())
  await expect(victim.getByText('This account is disabled.').first()).toBeVisible()
  await ctx.close()
})

test('the re-authentication window expires: the master password is asked again, then the page opens', async ({ page, instance, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const { person: boss, totp } = await seed(instance, 'window', { admin: true })
  await logIn(page, instance, boss.email, totp)
  await go(page, instance, '/admin/users')
  await expect(page.getByRole('heading', { name: 'Users' }).first()).toBeVisible()
  // The clock moves on: the session says the password was typed 11 minutes ago.
  const sid = (await page.context().cookies(instance.url)).find((c) => c.name === 'nid.sid')!.value
  const redis = new Redis(process.env.REDIS_URL!, { keyPrefix: instance.redisPrefix })
  const raw = await redis.get(`sess:${sid}`)
  expect(raw, 'the session in Redis').toBeTruthy()
  await redis.set(`sess:${sid}`, JSON.stringify({ ...JSON.parse(raw!), pwAt: Date.now() - 11 * 60_000 }), 'KEEPTTL')
  redis.disconnect()

  await go(page, instance, '/admin/log')
  await expect(page).toHaveURL(/\/admin\/unlock\?next=%2Fadmin%2Flog$/)
  await page.getByLabel('Master password').fill('not my password at all')
  const wrong = await submitAndWait(page, '/admin/unlock', () => page.getByRole('button', { name: 'Continue' }).click())
  expect(wrong.status()).toBe(422)
  await expect(page.getByText('This is not your master password.').first()).toBeVisible()
  await page.getByLabel('Master password').fill(PASSWORD)
  await submitAndWait(page, '/admin/unlock', () => page.getByRole('button', { name: 'Continue' }).click())
  await expect(page).toHaveURL(/\/admin\/log$/)
  await expect(page.getByRole('main')).toContainText('admin.unlock')
})

test('a test message reaches the outbox, and the support text holds no secret of the running configuration', async ({ page, instance }) => {
  const { person: boss, totp } = await seed(instance, 'operator', { admin: true })
  await logIn(page, instance, boss.email, totp)
  await go(page, instance, '/admin/mail')
  const to = uniqueEmail('mailtest')
  await page.getByLabel(/address/i).fill(to)
  await submitAndWait(page, '/admin/mail/test', () => page.getByRole('button', { name: 'Send a test message' }).click())
  await expect(page.getByTestId('flash')).toContainText(`Test message sent to ${to}. The transport answered:`)
  expect((await mailTo(to)).some((m) => m.subject === 'NucleusID test message')).toBe(true)

  await go(page, instance, '/admin/diagnostics')
  const support = page.getByLabel('Text for a bug report')
  await expect(support).toBeVisible()
  const text = await support.inputValue()
  expect(text).toContain('NucleusID')
  for (const secret of [CANARY_SECRET, CANARY_DB_PASSWORD, CANARY_METRICS, boss.email]) expect(text).not.toContain(secret)
  const html = await page.content()
  for (const secret of [CANARY_SECRET, CANARY_DB_PASSWORD, CANARY_METRICS]) expect(html).not.toContain(secret)
})
