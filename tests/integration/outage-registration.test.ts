// Registration is all or nothing: Redis lost after the account row was written but before the
// session (which carries the one-time recovery code) leaves no account behind, and the same
// browser registers again with the same address once Redis is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD, recoveryCodeIn, textOf, uniqueEmail } from '../helpers/http.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js'
import { createTestContext } from '../helpers/context.js'

const { REDIS_URL } = process.env
if (!REDIS_URL) throw new Error('run the suite with `npm test`')

let redis: TcpProxy
let s: TestServer
const db = createTestContext()

beforeAll(async () => {
  redis = await startTcpProxy(REDIS_URL)
  s = await startServer({ REDIS_URL: redis.url, LOG_LEVEL: 'warn' })
}, 90_000)

afterAll(async () => {
  await s?.stop()
  await redis?.close()
  await db.sequelize.close()
})

describe('registration when Redis goes away mid-request', { timeout: 60_000 }, () => {
  it('leaves no account behind, says the service is unavailable, and the same browser can register again', async () => {
    const c = new Client()
    const email = uniqueEmail('halfway')
    const form = { name: 'Halfway There', email, password: PASSWORD, password_confirm: PASSWORD }
    const token = await c.csrf('/register', s.origin)

    // The rate limiter (Redis) and the account (PostgreSQL) go through; the session write does not.
    redis.cutOn(/sess:/)
    const failed = await c.request('/register', { server: s.origin, form: { _csrf: token, ...form } })
    expect(failed.status).toBe(503)
    expect(textOf(await failed.text())).toContain('briefly unavailable')
    expect(await db.models.User.count({ where: { email } })).toBe(0)

    await redis.restore()
    // Once Redis answers again, the same address registers, and the recovery code is shown.
    let again: Response | undefined
    for (let i = 0; i < 50; i++) {
      const retryToken = await c.csrf('/register', s.origin)
      again = await c.request('/register', { server: s.origin, form: { _csrf: retryToken, ...form } })
      if (again.status !== 503) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(again!.status).toBe(303)
    expect(again!.headers.get('location')).toBe('/register/recovery-code')
    const code = recoveryCodeIn(await (await c.get('/register/recovery-code', { server: s.origin })).text())
    expect(code).toMatch(/[0-9A-Z]{4}(-[0-9A-Z]{4}){6}/)
    expect(await db.models.User.count({ where: { email } })).toBe(1)
  })
})
