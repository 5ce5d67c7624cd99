// Secrets and cookies of a server process: a first run with no SESSION_SECRETS generates its own
// (kept, private, reused) and listens on loopback only; rotating secrets keeps what the old ones
// signed; Secure cookies carry the __Host- prefix.
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Client, PASSWORD, csrfFrom, uniqueEmail } from '../helpers/http.js'
import { logLines, startServer, type TestServer } from '../helpers/server.js'
import { latestVerificationLink } from '../helpers/mail.js'

const SECRET_A = 'rotation-secret-a-0123456789abcdef0123456789'
const SECRET_B = 'rotation-secret-b-0123456789abcdef0123456789'

async function registerOn(s: TestServer, c = new Client()) {
  const email = uniqueEmail('proc')
  const _csrf = await c.csrf('/register', s.origin)
  const res = await c.request('/register', {
    server: s.origin,
    form: { _csrf, name: 'Process User', email, password: PASSWORD, password_confirm: PASSWORD },
  })
  expect(res.status).toBe(303)
  return { c, email }
}

const dashboardStatus = async (c: Client, s: TestServer) => (await c.get('/dashboard', { server: s.origin })).status

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.setTimeout(1000)
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => (socket.destroy(), resolve(false)))
  })
}

describe('a first run without SESSION_SECRETS', { timeout: 120_000 }, () => {
  it('generates a random secret under DATA_DIR (0600), says so, reuses it on restart, and listens on loopback only', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nid-data-'))
    const env = { SESSION_SECRETS: '', DATA_DIR: dataDir, HOST: '' }
    const first = await startServer(env)
    let c: Client
    try {
      const file = path.join(dataDir, 'session-secret')
      expect(statSync(file).mode & 0o777).toBe(0o600)
      const secret = readFileSync(file, 'utf8').trim()
      expect(secret.length).toBeGreaterThanOrEqual(32)
      const generated = logLines(first.log()).find((l) => /generated a random secret/.test(l.msg))
      expect(generated?.level).toBe(40)
      // The secret itself is never logged.
      expect(first.log()).not.toContain(secret)
      expect(logLines(first.log()).find((l) => l.msg === 'NucleusID listening')?.host).toBe('127.0.0.1')
      const external = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal)
      if (external) expect(await canConnect(external.address, first.port)).toBe(false)
      expect(await canConnect('127.0.0.1', first.port)).toBe(true)
      ;({ c } = await registerOn(first))
    } finally {
      await first.stop()
    }

    // Restarted: the same secret, so the session signed before is still good.
    const second = await startServer(env, { port: first.port })
    try {
      expect(logLines(second.log()).some((l) => /generated a random secret/.test(l.msg))).toBe(false)
      expect(await dashboardStatus(c, second)).toBe(200)
    } finally {
      await second.stop()
    }
  })
})

describe('rotating SESSION_SECRETS', { timeout: 120_000 }, () => {
  it('keeps sessions, forms and email links signed by a listed older secret, and drops those of a removed one', async () => {
    const a = await startServer({ SESSION_SECRETS: SECRET_A })
    let c: Client, email: string, token: string, link: string
    try {
      ;({ c, email } = await registerOn(a))
      token = csrfFrom(await (await c.get('/dashboard', { server: a.origin })).text())
      link = await latestVerificationLink(email)
    } finally {
      await a.stop()
    }

    // A copy of the cookies as secret A signed them (the rotated server re-signs them under B).
    const signedByA = new Client()
    for (const [k, v] of c.jar) signedByA.jar.set(k, v)

    const rotated = await startServer({ SESSION_SECRETS: `${SECRET_B},${SECRET_A}` }, { port: a.port })
    try {
      expect(await dashboardStatus(c, rotated)).toBe(200)
      const folder = await c.request('/dashboard/folders', { server: rotated.origin, method: 'POST', form: { _csrf: token, name: 'After rotation' } })
      expect(folder.status).toBe(303)
      const verified = await c.get(new URL(link).pathname + new URL(link).search, { server: rotated.origin })
      expect(verified.status).toBe(303)
      expect(verified.headers.get('location')).toBe('/dashboard')
    } finally {
      await rotated.stop()
    }

    const dropped = await startServer({ SESSION_SECRETS: SECRET_B }, { port: a.port })
    try {
      const res = await signedByA.get('/dashboard', { server: dropped.origin })
      expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
      // What the rotated server re-signed under B stays valid.
      expect(await dashboardStatus(c, dropped)).toBe(200)
    } finally {
      await dropped.stop()
    }
  })
})

describe('Secure cookies', { timeout: 120_000 }, () => {
  it('are named with the __Host- prefix: Secure, Path=/, no Domain', async () => {
    const s = await startServer({ COOKIE_SECURE: 'true', TRUST_PROXY: 'true' })
    try {
      const c = new Client()
      const headers = { 'x-forwarded-proto': 'https' }
      const page = await c.get('/register', { server: s.origin, headers })
      const _csrf = csrfFrom(await page.text())
      const res = await c.request('/register', {
        server: s.origin,
        headers,
        origin: s.origin,
        form: { _csrf, name: 'Host Cookies', email: uniqueEmail('host'), password: PASSWORD, password_confirm: PASSWORD },
      })
      expect(res.status).toBe(303)
      const setCookies = [...page.headers.getSetCookie(), ...res.headers.getSetCookie()]
      const names = setCookies.map((line) => line.split('=')[0])
      for (const name of ['__Host-nid.csrf', '__Host-nid.sid', '__Host-nid.sid.sig', '__Host-nid.sk', '__Host-nid.sk.sig']) {
        expect(names).toContain(name)
      }
      for (const line of setCookies) {
        expect(line.split('=')[0]).toMatch(/^__Host-/)
        expect(line).toMatch(/;\s*secure/i)
        expect(line).toMatch(/;\s*path=\/(;|$)/i)
        expect(line).not.toMatch(/;\s*domain=/i)
      }
      expect(c.cookie('nid.sid')).toBeUndefined()
      const dashboard = await c.get('/dashboard', { server: s.origin, headers })
      expect(dashboard.status).toBe(200)
    } finally {
      await s.stop()
    }
  })
})
