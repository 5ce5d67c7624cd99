// SPEC 4's per-IP limits with their default values. The shared servers of `npm test` run with
// the limits raised (so that hundreds of test logins pass), so this file starts its own server
// with the defaults: RATE_LOGIN_PER_IP=30 attempts per 15 minutes, RATE_REGISTER_PER_IP=5
// registrations per hour. TRUST_PROXY lets the test speak as different client IPs through
// X-Forwarded-For, to show that the limit is per IP and not global.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/scratch-stores.mjs'
import { Client, PASSWORD } from '../helpers/http.js'
import { createTestContext, registerUser } from '../helpers/context.js'

const { REDIS_PREFIX } = process.env
if (!REDIS_PREFIX) throw new Error('run the suite with `npm test`')

const db = createTestContext()
let child: ChildProcess
let server: string
let output = ''

beforeAll(async () => {
  const port = await freePort()
  child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      APP_ORIGIN: `http://localhost:${port}`,
      // Empty counts as unset: the defaults, not npm test's raised limits.
      RATE_LOGIN_PER_IP: '',
      RATE_REGISTER_PER_IP: '',
      RATE_LOGIN_PER_EMAIL: '',
      TRUST_PROXY: 'true',
      // Counters of its own (still under the run's prefix, which npm test deletes afterwards):
      // the shared servers spend points for 127.0.0.1 in theirs.
      REDIS_PREFIX: `${REDIS_PREFIX}rate-${randomBytes(3).toString('hex')}:`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  server = `http://localhost:${port}`
  // Starting tsx beside the two shared servers and the other test files can take a while.
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (await fetch(`${server}/readyz`).then((r) => r.ok, () => false)) return
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server with default limits did not start:\n${output}`)
}, 90_000)

afterAll(async () => {
  child?.kill('SIGTERM')
  await db.sequelize.close()
})

const from = (ip: string) => ({ server, headers: { 'x-forwarded-for': ip } })
const unknownEmail = () => `nobody-${randomBytes(5).toString('hex')}@example.test`

describe('per-IP limits at their defaults', () => {
  it('the 31st login attempt from one IP within 15 minutes gets 429, across different emails, even with the right password', async () => {
    const ip = '203.0.113.7'
    const u = await registerUser(db, 'Rate Login')
    const c = new Client()
    // 30 wrong attempts, each for another address: the per-email limit (5) never applies.
    for (let i = 1; i <= 30; i++) {
      const res = await c.post('/login', { email: unknownEmail(), password: 'not the password' }, from(ip))
      expect(res.status, `attempt ${i}`).toBe(422)
    }
    const blocked = await c.post('/login', { email: u.email, password: u.password }, from(ip))
    expect(blocked.status).toBe(429)
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(c.cookie('nid.sid')).toBeUndefined()

    // Another IP is not affected.
    const other = await new Client().post('/login', { email: u.email, password: u.password }, from('203.0.113.8'))
    expect(other.status).toBe(303)
  })

  it('the 6th registration from one IP within an hour gets 429', async () => {
    const ip = '203.0.113.9'
    const register = (c: Client) => {
      const email = `rate-reg-${randomBytes(5).toString('hex')}@example.test`
      return c.post('/register', { name: 'Rate Register', email, password: PASSWORD, password_confirm: PASSWORD }, { ...from(ip), tokenPage: '/register' })
    }
    for (let i = 1; i <= 5; i++) {
      const res = await register(new Client())
      expect(res.status, `registration ${i}`).toBe(303)
    }
    const blocked = await register(new Client())
    expect(blocked.status).toBe(429)
    expect((await register(new Client())).status).toBe(429)
  })
})
