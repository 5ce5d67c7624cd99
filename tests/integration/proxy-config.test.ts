// Secure cookies need TLS, which this server never speaks itself: it must sit behind a proxy that
// terminates TLS and says so (X-Forwarded-Proto: https, trusted with TRUST_PROXY=true). A
// configuration that can never work is refused at start; a request that arrives the wrong way
// (proxy not forwarding the scheme, or a client going around the proxy) gets a page saying what is
// wrong, logged once, instead of koa-session's "Cannot send secure cookie over unencrypted
// connection" on every page.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { logLines, startServer } from '../helpers/server.js'

function startExpectingRefusal(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', SESSION_SECRETS: 'proxy-config-test-secret-0123456789abcdef', TRUST_PROXY: '', COOKIE_SECURE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  return new Promise<{ code: number | null; output: string }>((resolve) => child.once('exit', (code) => resolve({ code, output })))
}

describe('secure cookies behind a proxy', { timeout: 180_000 }, () => {
  it('refuses COOKIE_SECURE=true without TRUST_PROXY at start, saying why', async () => {
    const [explicit, fromOrigin] = await Promise.all([
      startExpectingRefusal({ COOKIE_SECURE: 'true' }),
      // COOKIE_SECURE defaults to true with an https APP_ORIGIN: the same dead end.
      startExpectingRefusal({ APP_ORIGIN: 'https://vault.example.test' }),
    ])
    for (const r of [explicit, fromOrigin]) {
      expect(r.code).toBe(1)
      expect(r.output).toContain('Invalid configuration')
      expect(r.output).toContain('COOKIE_SECURE=true (the default with an https APP_ORIGIN) needs TRUST_PROXY=true')
      expect(r.output).not.toContain('NucleusID listening')
    }
  })

  it('answers a plain-HTTP request with a page naming the proxy problem (logged once), and serves forwarded https and the probes', async () => {
    const s = await startServer({ COOKIE_SECURE: 'true', TRUST_PROXY: 'true' })
    try {
      // nginx in front of plain HTTP sends X-Forwarded-Proto: http; a client around the proxy sends none.
      for (const headers of [{ 'x-forwarded-proto': 'http' }, {} as Record<string, string>, { 'x-forwarded-proto': 'http' }]) {
        const res = await fetch(`${s.url}/login`, { headers })
        expect(res.status).toBe(500)
        expect(res.headers.get('cache-control')).toBe('no-store')
        const text = await res.text()
        expect(text).toContain('Proxy configuration error')
        expect(text).toContain('X-Forwarded-Proto: https')
      }
      // A form post too: refused before anything reads the body or the session.
      const post = await fetch(`${s.url}/login`, { method: 'POST', body: 'email=a%40b.c', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect(post.status).toBe(500)
      expect(await post.text()).toContain('Proxy configuration error')

      // Forwarded https works, Secure cookies and all.
      const ok = await fetch(`${s.url}/login`, { headers: { 'x-forwarded-proto': 'https' } })
      expect(ok.status).toBe(200)
      expect(ok.headers.getSetCookie().join('\n')).toMatch(/__Host-nid\.csrf=.*; secure/i)
      // Probes and the scraper talk to the process directly, over plain HTTP.
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200)

      const logged = logLines(s.log()).filter((l) => /COOKIE_SECURE=true: the proxy in front must send X-Forwarded-Proto: https/.test(l.msg))
      expect(logged).toHaveLength(1)
      expect(logged[0]!.level).toBe(50)
      expect(s.log()).not.toContain('Cannot send secure cookie')
    } finally {
      await s.stop()
    }
  })
})
