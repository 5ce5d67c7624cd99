// The shipped nginx config (docker/nginx.conf, run by a real nginx: tests/helpers/nginx.ts) in
// front of two app processes, like docker-compose.yml's two replicas:
// - /readyz and /metrics are not reachable through it; body limits agree with the app's;
// - a POST reset after nginx sent it is resent to the other replica and carried out once;
// - restarting the replicas one after the other under load (GETs, and POSTs that each create a
//   folder) fails no request and loses or doubles no write.
import net from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/scratch-stores.mjs'
import { Client, csrfFrom, PASSWORD, textOf, uniqueEmail } from '../helpers/http.js'
import { runLoad } from '../helpers/load.js'
import { startNginx, type TestNginx } from '../helpers/nginx.js'
import { startServer, type TestServer } from '../helpers/server.js'

const CLIENTS = 20
const MAX_REQUESTS = 40_000

/** The names of these users' folders that start with `prefix`, sorted. */
async function folderNames(emails: string[], prefix: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await db.connect()
  try {
    const { rows } = await db.query<{ name: string }>(
      `SELECT f.name FROM folders f JOIN users u ON u.id = f.owner_id WHERE u.email = ANY($1) AND starts_with(f.name, $2) ORDER BY f.name`,
      [emails, prefix],
    )
    return rows.map((r) => r.name)
  } finally {
    await db.end()
  }
}

// No skipping without nginx: startNginx fails saying how to install it (.ci/run does).
describe('behind the shipped nginx', { timeout: 240_000 }, () => {
  let nginx: TestNginx
  const ports: number[] = []
  const replicas: TestServer[] = []
  let env: Record<string, string>

  beforeAll(async () => {
    ports.push(await freePort(), await freePort())
    const nginxPort = await freePort()
    env = {
      // As docker-compose.yml runs the replicas: nginx is the origin, and its X-Forwarded-* trusted.
      APP_ORIGIN: `http://localhost:${nginxPort}`,
      TRUST_PROXY: 'true',
      SHUTDOWN_GRACE_MS: '1000',
      LIMIT_FOLDERS_PER_USER: '100000',
      LOG_LEVEL: 'warn',
    }
    replicas.push(...(await Promise.all(ports.map((port) => startServer(env, { port })))))
    nginx = await startNginx(ports, nginxPort)
  }, 240_000)

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await nginx?.stop()
  })

  it('does not expose /readyz or /metrics, in any spelling; serves the rest', async () => {
    for (const p of ['/readyz', '/READYZ', '/readyz/', '/%72eadyz', '//readyz', '/metrics', '/Metrics', '/metrics/x', '/readyz?x=1']) {
      const res = await fetch(`${nginx.url}${p}`)
      expect(res.status, p).toBe(404)
      // nginx's own 404, not the app's page: the request never reached a replica.
      expect(res.headers.get('x-request-id'), p).toBeNull()
    }
    // Directly on a replica they answer (the internal network's view).
    expect((await fetch(`${replicas[0]!.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${nginx.url}/healthz`)).status).toBe(200)
    const page = await fetch(`${nginx.url}/login`)
    expect(page.status).toBe(200)
    expect(page.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/) // nginx's $request_id, adopted by the app
  })

  it('body limits agree: the app answers 413 with its page above 1 MB, nginx refuses above 6 MB', async () => {
    const form = (bytes: number) => `email=${'a'.repeat(bytes)}`
    const post = (body: string) =>
      fetch(`${nginx.url}/login`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: env.APP_ORIGIN! },
      })
    const app = await post(form(2 * 1024 * 1024))
    expect(app.status).toBe(413)
    expect(app.headers.get('x-request-id')).not.toBeNull() // answered by a replica
    expect(await app.text()).toContain('That request is too large.')
    const edge = await post(form(7 * 1024 * 1024))
    expect(edge.status).toBe(413)
    expect(edge.headers.get('x-request-id')).toBeNull() // answered by nginx
    await edge.text()
  })

  it('a POST reset after nginx sent it goes to the other replica and is carried out once; a second attempt that reaches a replica is refused', async () => {
    // An upstream that reads each request and resets the connection. To nginx this is what the
    // kernel does to a connection still queued when a stopping replica closes its listener: the
    // request was sent, then reset. (It also looks like a replica dying mid-request.)
    const reset: { line: string; requestId: string }[] = []
    const resetter = net.createServer((socket) => {
      let head = ''
      socket.on('error', () => {})
      socket.on('data', (d) => {
        head += d
        if (!head.includes('\r\n\r\n')) return
        reset.push({ line: head.slice(0, head.indexOf('\r\n')), requestId: /^x-request-id: *(\S+)\r$/im.exec(head)?.[1] ?? '' })
        socket.resetAndDestroy()
      })
    })
    const resetterPort = await freePort()
    await new Promise<void>((resolve) => resetter.listen(resetterPort, '127.0.0.1', resolve))
    const edge = await startNginx([resetterPort, ports[1]!])
    try {
      const c = new Client()
      const email = uniqueEmail('resent')
      const form = { name: 'Resent User', email, password: PASSWORD, password_confirm: PASSWORD }
      const register = await c.request('/register', { server: edge.url, origin: env.APP_ORIGIN, form: { _csrf: await c.csrf('/register', edge.url), ...form } })
      expect(register.status).toBe(303)
      const csrf = csrfFrom(await (await c.get('/dashboard', { server: edge.url })).text())
      // Round-robin: about every other request is sent to the resetter first.
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) {
        const res = await c.request('/dashboard/folders', { server: edge.url, origin: env.APP_ORIGIN, form: { _csrf: csrf, name: `resent-${i}` } })
        statuses.push(res.status)
      }
      expect(statuses).toEqual([303, 303, 303, 303, 303, 303])
      const resetPosts = reset.filter((r) => r.line === 'POST /dashboard/folders HTTP/1.1')
      expect(resetPosts.length).toBeGreaterThanOrEqual(2)
      // Each folder once: the resends were carried out, none twice.
      expect(await folderNames([email], 'resent-')).toEqual(['resent-0', 'resent-1', 'resent-2', 'resent-3', 'resent-4', 'resent-5'])

      // A resend that finds its request already received by a replica (the first attempt was read,
      // then its connection broke): the same request id, straight to the other replica.
      const { requestId } = resetPosts[0]!
      expect(requestId).toMatch(/^[0-9a-f]{32}$/)
      const again = await c.request('/dashboard/folders', {
        server: replicas[0]!.url,
        origin: env.APP_ORIGIN,
        headers: { 'x-request-id': requestId },
        form: { _csrf: csrf, name: 'resent-0' },
      })
      expect(again.status).toBe(409)
      expect(textOf(await again.text())).toContain('nothing was done twice')
      expect(await folderNames([email], 'resent-')).toHaveLength(6)
      // A new request id is a new request.
      const fresh = await c.request('/dashboard/folders', {
        server: replicas[0]!.url,
        origin: env.APP_ORIGIN,
        headers: { 'x-request-id': 'f'.repeat(32) + Date.now().toString(16) },
        form: { _csrf: csrf, name: 'resent-6' },
      })
      expect(fresh.status).toBe(303)
      expect(await folderNames([email], 'resent-')).toHaveLength(7)
    } finally {
      await edge.stop()
      await new Promise((resolve) => resetter.close(resolve))
    }
  })

  it('restarting the replicas one at a time under load fails no request and loses or doubles no write', async () => {
    // One logged-in user per client, with the CSRF token of its session.
    const users = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new Client()
        const email = uniqueEmail('rolling')
        const register = await c.request('/register', {
          server: nginx.url,
          origin: env.APP_ORIGIN,
          form: { _csrf: await c.csrf('/register', nginx.url), name: 'Rolling User', email, password: PASSWORD, password_confirm: PASSWORD },
        })
        expect(register.status).toBe(303)
        const dashboard = await c.get('/dashboard', { server: nginx.url })
        expect(dashboard.status).toBe(200)
        const cookie = c.cookieHeader()
        return { email, cookie, csrf: csrfFrom(await dashboard.text()) }
      }),
    )

    let stop = false
    const load = runLoad({
      base: nginx.url,
      clients: CLIENTS,
      pauseMs: 10,
      maxRequests: MAX_REQUESTS,
      until: () => stop,
      next: (client, n) => {
        const u = users[client]!
        if (n % 3 === 0) return { path: '/healthz' }
        if (n % 3 === 1) return { path: '/login' }
        return {
          path: '/dashboard/folders',
          headers: { cookie: u.cookie, origin: env.APP_ORIGIN! },
          form: { _csrf: u.csrf, name: `rr-${client}-${n}` },
          tag: `rr-${client}-${n}`,
        }
      },
    })

    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
    const timeline: Record<string, number> = {}
    const t0 = Date.now()
    await wait(1500)
    for (const i of [0, 1]) {
      timeline[`sigterm${i + 1}`] = Date.now() - t0
      expect(await replicas[i]!.stop()).toBe(0)
      timeline[`exited${i + 1}`] = Date.now() - t0
      // Started again as soon as the old one is gone; startServer returns once /readyz answers.
      replicas[i] = await startServer(env, { port: ports[i] })
      timeline[`ready${i + 1}`] = Date.now() - t0
    }
    await wait(1500)
    stop = true
    const outcomes = await load.done
    timeline.end = Date.now() - t0

    const failed = outcomes.filter((o) => o.error || (o.method === 'GET' ? o.status !== 200 : o.status !== 303))
    const posts = outcomes.filter((o) => o.method === 'POST')
    const created = posts.filter((o) => o.status === 303).map((o) => o.tag!)
    const names = await folderNames(users.map((u) => u.email), 'rr-')
    const report = {
      requests: outcomes.length,
      gets: outcomes.length - posts.length,
      posts: posts.length,
      posts303: created.length,
      foldersInDb: names.length,
      distinctFolders: new Set(names).size,
      failed: failed.length,
      // Requests nginx sent to a second replica after the first refused (or failed) them.
      movedByNginx: nginx.accessLog().split('\n').filter((l) => /"upstream":"[^"]*, /.test(l)).length,
      timeline,
    }
    console.log('[rolling-restart] %j', report)
    if (failed.length) {
      console.log('[rolling-restart] failures %j', failed.slice(0, 10))
      // What nginx saw, minus the refused connects it retried.
      console.log(nginx.errorLog().split('\n').filter((l) => l && !l.includes('(111: Connection refused)')).slice(-30).join('\n'))
      console.log('[rolling-restart] t0 %d', t0)
    }

    expect(outcomes.length).toBeLessThan(MAX_REQUESTS) // the load ran for the whole restart, not capped
    expect(failed).toEqual([])
    // Both replicas really were restarted while the load ran, and served during it.
    expect(posts.length).toBeGreaterThan(100)
    // Every POST answered 303 created exactly one folder (none lost, none doubled by a retry).
    expect([...names].sort()).toEqual([...created].sort())
    // Failover really happened: nginx moved requests off a stopped replica.
    expect(report.movedByNginx).toBeGreaterThan(0)
  })
})
