// SPEC 4's per-IP limits with their default values. The shared servers of `npm test` run with
// the limits raised (so that hundreds of test logins pass), so this file starts its own server
// with the defaults: RATE_LOGIN_PER_IP=30 attempts per 15 minutes, RATE_REGISTER_PER_IP=5
// registrations per hour. TRUST_PROXY lets the test speak as different client IPs through
// X-Forwarded-For, to show that the limit is per IP and not global.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD } from '../helpers/http.js'
import { createTestContext, registerUser } from '../helpers/context.js'
import { ownRedisPrefix, serverForFile } from '../helpers/server.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())
const server = serverForFile({
  // Empty counts as unset: the defaults, not npm test's raised limits.
  RATE_LOGIN_PER_IP: '',
  RATE_REGISTER_PER_IP: '',
  RATE_LOGIN_PER_EMAIL: '',
  TRUST_PROXY: 'true',
  LOG_LEVEL: 'warn',
  REDIS_PREFIX: ownRedisPrefix('rate'),
})

const from = (ip: string) => ({ server: server.origin, headers: { 'x-forwarded-for': ip } })
const unknownEmail = () => `nobody-${randomBytes(5).toString('hex')}@example.test`

// 31 logins (scrypt each) and 6 registrations: more than the default 30 s on a busy machine.
describe('per-IP limits at their defaults', { timeout: 180_000 }, () => {
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

  it('the 6th registration from one IP within an hour gets 429, "email taken" attempts included', async () => {
    const ip = '203.0.113.9'
    const taken = await registerUser(db, 'Already Here')
    const register = (c: Client, email = `rate-reg-${randomBytes(5).toString('hex')}@example.test`) => {
      return c.post('/register', { name: 'Rate Register', email, password: PASSWORD, password_confirm: PASSWORD }, { ...from(ip), tokenPage: '/register' })
    }
    // Probing an address that exists costs a point like any other attempt.
    expect((await register(new Client(), taken.email)).status).toBe(422)
    for (let i = 2; i <= 5; i++) {
      const res = await register(new Client())
      expect(res.status, `registration ${i}`).toBe(303)
    }
    const blocked = await register(new Client())
    expect(blocked.status).toBe(429)
    expect((await register(new Client())).status).toBe(429)
  })
})
