// SIGTERM under load: the server stops accepting, answers what is in flight with
// `Connection: close`, closes idle keep-alive sockets at once, resets no request, and exits 0 long
// before SHUTDOWN_TIMEOUT_MS; readiness turns 503 during SHUTDOWN_GRACE_MS while pages still work.
import { describe, expect, it } from 'vitest'
import { newAgent, runLoad, send, type Outcome } from '../helpers/load.js'
import { logLines, startServer } from '../helpers/server.js'

const TIMEOUT_MS = 8000

describe('SIGTERM drains', { timeout: 120_000 }, () => {
  it('20 busy keep-alive clients: no request reset, in-flight answers carry Connection: close, exit 0 well before the timeout', async () => {
    const s = await startServer({ SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: 'info' })
    // One more keep-alive client that goes quiet: its socket must be closed at once, not at the timeout.
    const idleAgent = newAgent()
    expect((await send(idleAgent, s.url, { path: '/healthz' })).status).toBe(200)
    const idleSocket = Object.values(idleAgent.freeSockets).flat()[0]!
    let idleClosedAt = 0
    idleSocket.once('close', () => (idleClosedAt = Date.now()))
    const idleSince = Date.now()

    let signalledAt = 0
    let refusedBy = 0
    const load = runLoad({
      base: s.url,
      clients: 20,
      // A rendered page (milliseconds of work, so requests are really in flight) and a cheap one.
      next: (_c, n, last) => (last?.error ? null : { path: n % 2 ? '/healthz' : '/login' }),
      until: () => false,
      maxRequests: 20_000,
    })
    // Let every client get going (the first renders load Vike's bundle), then signal mid-load.
    for (let i = 0; i < 200 && load.outcomes.length < 400; i++) await new Promise((r) => setTimeout(r, 50))
    // ...and let the quiet client be idle by the server's measure (2 s without a byte).
    while (Date.now() - idleSince < 2500) await new Promise((r) => setTimeout(r, 50))
    signalledAt = Date.now()
    s.child.kill('SIGTERM')
    const code = await s.exited
    const exitedAt = Date.now()
    const outcomes = await load.done
    refusedBy = outcomes.filter((o) => o.error === 'ECONNREFUSED').length
    idleAgent.destroy()

    const failed = outcomes.filter((o) => o.error && o.error !== 'ECONNREFUSED')
    const bad = outcomes.filter((o) => o.status !== undefined && o.status !== 200)
    const byClient = new Map<number, Outcome[]>()
    for (const o of outcomes) byClient.set(o.client, [...(byClient.get(o.client) ?? []), o])
    const endings = [...byClient.values()].map((os) => {
      const answered = os.filter((o) => o.status !== undefined)
      return { last: answered.at(-1), final: os.at(-1) }
    })
    const report = {
      requests: outcomes.length,
      beforeSignal: outcomes.filter((o) => o.end < signalledAt).length,
      afterSignal: outcomes.filter((o) => o.status !== undefined && o.end >= signalledAt).length,
      refused: refusedBy,
      failed: failed.length,
      closeHeaders: outcomes.filter((o) => o.connection === 'close').length,
      exitMs: exitedAt - signalledAt,
      idleClosedMs: idleClosedAt ? idleClosedAt - signalledAt : null,
    }
    console.log('[shutdown] %j', report)
    if (failed.length) {
      for (const f of failed) {
        const prev = byClient.get(f.client)!.filter((o) => o.end <= f.start).at(-1)
        console.log('[shutdown] failed %j (signal at +%d, previous on this client %j)', f, signalledAt - f.start, prev && { ...prev, sinceEnd: f.start - prev.end })
      }
      console.log(s.log().split('\n').filter((l) => !l.includes('"msg":"request"')).join('\n'))
    }

    expect(code).toBe(0)
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([])
    expect(bad).toEqual([])
    expect(report.beforeSignal).toBeGreaterThan(40)
    // Every client was answered until the end: its last answer said `Connection: close`, and its
    // next attempt, on a new connection, was refused (the server had stopped accepting).
    for (const { last, final } of endings) {
      expect(last?.connection).toBe('close')
      expect(final?.error).toBe('ECONNREFUSED')
      // Not answered from an idle socket closed under it: the answer came after the signal.
      expect(last!.end).toBeGreaterThanOrEqual(signalledAt)
    }
    // The quiet keep-alive socket was closed at once, and nothing waited for the timeout.
    // (Generous bound: on a loaded 2-core machine this is mostly scheduling delay.)
    expect(report.idleClosedMs).not.toBeNull()
    expect(report.idleClosedMs!).toBeLessThan(3000)
    expect(report.idleClosedMs!).toBeLessThanOrEqual(report.exitMs)
    expect(report.exitMs).toBeLessThan(TIMEOUT_MS / 2)
    const msgs = logLines(s.log()).map((l) => l.msg)
    expect(msgs).toContain('stopped')
    expect(s.log()).not.toMatch(/connections still open after SHUTDOWN_TIMEOUT_MS|requests still running/)
  })

  it('SHUTDOWN_GRACE_MS: /readyz answers 503 at once while pages are still served, then the server stops', async () => {
    const s = await startServer({ SHUTDOWN_GRACE_MS: '3000', LOG_LEVEL: 'info' })
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200)
    // Warm: the first render loads Vike's bundle, which may take longer than the grace period.
    expect((await fetch(`${s.url}/login`)).status).toBe(200)
    const signalled = Date.now()
    s.child.kill('SIGTERM')
    // Readiness flips first (the signal is handled within a few ms)...
    let ready: Response | undefined
    for (let i = 0; i < 20; i++) {
      ready = await fetch(`${s.url}/readyz/`)
      if (ready.status === 503) break
      await new Promise((r) => setTimeout(r, 25))
    }
    expect(ready!.status).toBe(503)
    expect(await ready!.json()).toMatchObject({ ok: false, draining: true })
    // ...while everything else still works, on new connections too.
    const page = await fetch(`${s.url}/login`, { headers: { connection: 'close' } })
    expect(page.status).toBe(200)
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
    expect(Date.now() - signalled).toBeLessThan(3000)
    expect(await s.exited).toBe(0)
    const lines = logLines(s.log())
    const drainAt = lines.find((l) => l.msg === 'draining in-flight requests')!.time as number
    const stopAt = lines.find((l) => l.msg === 'stopped accepting connections')!.time as number
    expect(stopAt - drainAt).toBeGreaterThanOrEqual(2900)
    expect(lines.map((l) => l.msg)).toContain('stopped')
  })
})
