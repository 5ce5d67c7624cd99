// Fault injection: an app server of its own, reaching the real PostgreSQL and Redis through TCP
// proxies that can cut every connection. An outage answers 503 with Retry-After and says so (page
// or JSON), recovery needs no restart, the log has one warning per outage instead of a stack per
// request, and a PostgreSQL restart costs no read.
import net from 'node:net'
import { randomBytes, randomUUID } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/scratch-stores.mjs'
import { Client, PASSWORD, textOf, uniqueEmail } from '../helpers/http.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js'

const { DATABASE_URL, REDIS_URL, REDIS_PREFIX } = process.env
if (!DATABASE_URL || !REDIS_URL || !REDIS_PREFIX) throw new Error('run the suite with `npm test`')

const FRIENDLY = 'briefly unavailable'
// A stack trace printed raw or inside a JSON log line.
const STACK = /(\n|\\n)\s+at /

let pg: TcpProxy
let redis: TcpProxy
let child: ChildProcess
let origin: string
let output = ''
const user = new Client()

interface LogLine {
  level: number
  msg: string
  dependency?: string
  failedRequests?: number
}
/** The server's output from `since` (an offset into it) on, as log lines. */
function logSince(since: number) {
  const text = output.slice(since)
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
  return { text, lines, count: (msg: string) => lines.filter((l) => l.msg === msg).length }
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}

beforeAll(async () => {
  pg = await startTcpProxy(DATABASE_URL)
  redis = await startTcpProxy(REDIS_URL)
  const port = await freePort()
  origin = `http://localhost:${port}`
  child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      APP_ORIGIN: origin,
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'info',
      // As behind the shipped nginx, whose request ids name a request across its attempts.
      TRUST_PROXY: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  await until('the server', async () => (await fetch(`${origin}/readyz`)).ok, 60_000)
  const email = uniqueEmail('outage')
  const token = await user.csrf('/register', origin)
  const res = await user.request('/register', { server: origin, form: { _csrf: token, name: 'Outage User', email, password: PASSWORD, password_confirm: PASSWORD } })
  expect(res.status).toBe(303)
}, 90_000)

afterAll(async () => {
  child?.kill('SIGTERM')
  await Promise.all([pg?.close(), redis?.close()])
})

async function expectUnavailablePage(res: Response) {
  expect(res.status).toBe(503)
  expect(res.headers.get('retry-after')).toBe('5')
  const text = textOf(await res.text())
  expect(text).toContain(FRIENDLY)
  expect(text).not.toContain('Something went wrong')
}

async function expectUnavailableJson(res: Response) {
  expect(res.status).toBe(503)
  expect(res.headers.get('retry-after')).toBe('5')
  expect(res.headers.get('content-type')).toContain('application/json')
  const body = (await res.json()) as { ok: boolean; error: string }
  expect(body.ok).toBe(false)
  expect(body.error).toContain(FRIENDLY)
}

/** /readyz answers 503 and says which store is up. */
async function expectNotReady(up: { postgres: boolean; redis: boolean }) {
  const ready = await fetch(`${origin}/readyz`)
  expect(ready.status).toBe(503)
  expect(await ready.json()).toMatchObject(up)
}

/** The landing page, the help center and the public pages need neither store (issue 22, ADR 031). */
async function expectPublicPagesServed() {
  for (const path of ['/', '/support', '/support/self-hosting', '/support?q=backup', '/privacy']) {
    const res = await fetch(`${origin}${path}`)
    expect(res.status, path).toBe(200)
    expect(await res.text(), path).not.toMatch(/<title>Briefly unavailable/)
  }
}

describe('dependency outages', () => {
  it('Redis cut: pages and forms answer 503 with Retry-After and say so; back to 200 without a restart; one warning', async () => {
    const since = output.length
    await redis.cut()
    try {
      // The session store fails before any route (koa-session).
      await expectUnavailablePage(await user.get('/dashboard', { server: origin }))
      await expectUnavailableJson(await user.get('/dashboard', { server: origin, headers: { accept: 'application/json' } }))
      // Once Redis is known down, a request does not wait out the client's retries (1-1.5 s each).
      const took: number[] = []
      for (let i = 0; i < 5; i++) {
        const started = performance.now()
        await expectUnavailableJson(await user.get('/dashboard', { server: origin, headers: { accept: 'application/json' } }))
        took.push(performance.now() - started)
      }
      expect(took.sort((a, b) => a - b)[2], `503 answered in ${took.map(Math.round).join(', ')} ms`).toBeLessThan(200)
      // An anonymous login: the form renders (no Redis needed), the post fails in the rate limiter.
      const anonymous = new Client()
      const token = await anonymous.csrf('/login', origin)
      const login = { _csrf: token, email: uniqueEmail('nobody'), password: PASSWORD }
      await expectUnavailablePage(await anonymous.request('/login', { server: origin, form: login }))
      await expectUnavailableJson(await anonymous.request('/login', { server: origin, form: login, headers: { accept: 'application/json' } }))
      await expectNotReady({ postgres: true, redis: false })
      await expectPublicPagesServed()
    } finally {
      await redis.restore()
    }
    await until('the dashboard again', async () => (await user.get('/dashboard', { server: origin })).status === 200)
    await until('the recovery log line', async () => logSince(since).count('redis available again') === 1)
    const log = logSince(since)
    expect(log.count('redis unavailable')).toBe(1)
    expect(log.lines.find((l) => l.msg === 'redis available again')?.failedRequests).toBeGreaterThanOrEqual(4)
    expect(log.text).not.toMatch(STACK)
    expect(log.lines.filter((l) => l.level >= 50)).toEqual([])
  })

  it('PostgreSQL cut: pages and writes answer 503 and say so; back to 200 without a restart; one warning; a resent write runs', async () => {
    const since = output.length
    const resentId = randomBytes(16).toString('hex')
    await pg.cut()
    try {
      // Errors inside Vike's render (+data calling the services) and in actions alike.
      await expectUnavailablePage(await user.get('/dashboard', { server: origin }))
      await expectUnavailableJson(await user.get('/dashboard', { server: origin, headers: { accept: 'application/json' } }))
      const token = await user.csrf('/dashboard', origin)
      await expectUnavailablePage(await user.request('/dashboard/folders', { server: origin, form: { _csrf: token, name: 'During the outage' } }))
      await expectUnavailableJson(
        await user.request('/dashboard/folders', { server: origin, form: { _csrf: token, name: 'During the outage' }, headers: { accept: 'application/json' } }),
      )
      // An import (multipart, parsed before the database is needed) and an export: 503 as well.
      const file = 'name,url,username,password\nDuring the outage,outage.example,me,Lantern-Quartz-1\n'
      const part = (name: string, value: string, filename?: string) =>
        `--b\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`
      const upload = `${part('_csrf', token)}${part('folder_id', randomUUID())}${part('file', file, 'export.csv')}--b--\r\n`
      await expectUnavailablePage(await user.request('/dashboard/import', { server: origin, body: upload, headers: { 'content-type': 'multipart/form-data; boundary=b' } }))
      await expectUnavailablePage(await user.request('/dashboard/export', { server: origin, form: { _csrf: token, password: PASSWORD } }))
      // Attachments (issue 23): an upload (multipart), a download and a delete: 503 too.
      const item = randomUUID()
      const attach = `${part('_csrf', token)}${part('file', 'some bytes', 'a.bin')}--b--\r\n`
      await expectUnavailablePage(await user.request(`/dashboard/items/${item}/attachments`, { server: origin, body: attach, headers: { 'content-type': 'multipart/form-data; boundary=b' } }))
      await expectUnavailablePage(await user.get(`/dashboard/items/${item}/attachments/${randomUUID()}`, { server: origin }))
      await expectUnavailablePage(await user.request(`/dashboard/items/${item}/attachments/${randomUUID()}/delete`, { server: origin, form: { _csrf: token } }))
      // Activity (issue 25): the log, its CSV, a folder's log, and a page asked for a secret
      // (its copy budget is in Redis, which is up: the read after it fails).
      for (const path of ['/dashboard/activity', '/dashboard/activity?kind=signins', '/dashboard/activity.csv', `/dashboard/folders/${randomUUID()}/activity`, `/dashboard/items/${item}?reveal=password`]) {
        await expectUnavailablePage(await user.get(path, { server: origin }))
      }
      // nginx resends a POST answered 503 to the other replica, with the same request id.
      await expectUnavailablePage(
        await user.request('/dashboard/folders', { server: origin, form: { _csrf: token, name: 'Resent after the outage' }, headers: { 'x-request-id': resentId } }),
      )
      await expectNotReady({ postgres: false, redis: true })
      await expectPublicPagesServed()
    } finally {
      await pg.restore()
    }
    await until('the dashboard again', async () => (await user.get('/dashboard', { server: origin })).status === 200)
    // The 503 wrote nothing and released its request id: the resend is carried out.
    const resent = await user.request('/dashboard/folders', {
      server: origin,
      form: { _csrf: await user.csrf('/dashboard', origin), name: 'Resent after the outage' },
      headers: { 'x-request-id': resentId },
    })
    expect(resent.status).toBe(303)
    expect(textOf(await (await user.get('/dashboard', { server: origin })).text())).toContain('Resent after the outage')
    await until('the recovery log line', async () => logSince(since).count('postgres available again') === 1)
    const log = logSince(since)
    expect(log.count('postgres unavailable')).toBe(1)
    expect(log.text).not.toMatch(STACK)
    // The driver's error appears once, in that warning, not once per request.
    expect(log.text.split('\n').filter((l) => l.includes('SequelizeConnectionRefusedError'))).toHaveLength(1)
    expect(log.lines.filter((l) => l.level >= 50)).toEqual([])
    // The folder posted during the outage was not created behind the user's back.
    expect(textOf(await (await user.get('/dashboard', { server: origin })).text())).not.toContain('During the outage')
  })

  it('a PostgreSQL restart costs no read: connections lost under a query are retried once', async () => {
    const since = output.length
    const statuses: number[] = []
    let restarting = true
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (restarting) statuses.push((await user.get('/dashboard', { server: origin })).status)
      }),
    )
    // Three restarts, each far enough apart for the retry (100 ms later) to find PostgreSQL back:
    // every pooled connection and every query in flight is cut, and PostgreSQL is back at once.
    for (let restart = 0; restart < 3; restart++) {
      await new Promise((r) => setTimeout(r, 700))
      await pg.cut()
      await pg.restore()
    }
    await new Promise((r) => setTimeout(r, 700))
    restarting = false
    await load
    expect(statuses.length).toBeGreaterThanOrEqual(8)
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(logSince(since).count('postgres unavailable')).toBe(0)
  })

  it('a client that goes away mid-body is one info line, no stack', async () => {
    const since = output.length
    const { port } = new URL(origin)
    for (const ending of ['destroy', 'end'] as const) {
      await new Promise<void>((resolve) => {
        const s = net.connect(Number(port), '127.0.0.1', () => {
          s.write(`POST /login HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nemail=a`)
          setTimeout(() => (ending === 'destroy' ? s.destroy() : s.end()), 100)
        })
        s.on('error', () => {})
        s.on('close', () => resolve())
        s.resume()
      })
    }
    await new Promise((r) => setTimeout(r, 500))
    const log = logSince(since)
    expect(log.text).not.toMatch(STACK)
    expect(log.lines.filter((l) => l.level >= 40)).toEqual([])
  })
})
