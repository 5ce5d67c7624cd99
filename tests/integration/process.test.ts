// The server process: starts (one process or a cluster of workers), answers, and on SIGTERM
// drains and exits cleanly, closing its pools.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { Client, textOf } from '../helpers/http.js'
import { logLines, startServer } from '../helpers/server.js'

const lines = logLines

// Each test starts whole server processes: minutes on a busy machine (tests/helpers/server.ts).
describe('server process', { timeout: 300_000 }, () => {
  it('drains and exits 0 on SIGTERM', async () => {
    const s = await startServer({})
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
    s.child.kill('SIGTERM')
    expect(await s.exited).toBe(0)
    const msgs = lines(s.log()).map((l) => l.msg)
    expect(msgs).toContain('draining in-flight requests')
    expect(msgs).toContain('stopped')
  })

  it('WEB_CONCURRENCY=2 runs two workers that share the port, and SIGTERM stops them all', async () => {
    const s = await startServer({ WEB_CONCURRENCY: '2' })
    // Give both workers time to listen, then let a few requests spread over them.
    await new Promise((r) => setTimeout(r, 1500))
    await Promise.all(Array.from({ length: 10 }, () => fetch(`${s.url}/healthz`)))
    const listening = new Set(lines(s.log()).filter((l) => l.msg === 'NucleusID listening').map((l) => l.pid))
    expect(listening.size).toBe(2)
    s.child.kill('SIGTERM')
    expect(await s.exited).toBe(0)
    const stopped = new Set(lines(s.log()).filter((l) => l.msg === 'stopped').map((l) => l.pid))
    expect(stopped).toEqual(listening)
  })

  it('without REDIS_URL keeps sessions in memory, says so, and still logs users in', async () => {
    const s = await startServer({ REDIS_URL: '', RATE_REGISTER_PER_IP: '100' })
    try {
      expect(lines(s.log()).map((l) => l.msg)).toContain(
        'REDIS_URL is unset: sessions and rate limits are kept in process memory (development only)',
      )
      const c = new Client()
      const origin = s.url.replace('127.0.0.1', 'localhost')
      const token = await c.csrf('/register', origin)
      const email = `memory-${Date.now()}@example.test`
      const res = await c.request('/register', {
        server: origin,
        form: { _csrf: token, name: 'Memory Mode', email, password: 'violet harbor quantum 58 teapot', password_confirm: 'violet harbor quantum 58 teapot' },
      })
      expect(res.status).toBe(303)
      const dashboard = await c.get('/dashboard', { server: origin })
      expect(dashboard.status).toBe(200)
      expect(textOf(await dashboard.text())).toContain('Memory Mode')
    } finally {
      s.child.kill('SIGTERM')
      await s.exited
    }
  })

  it('refuses several workers without Redis, saying why', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
      env: { ...process.env, REDIS_URL: '', WEB_CONCURRENCY: '2', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stderr.on('data', (d) => (output += d))
    child.stdout.on('data', (d) => (output += d))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(1)
    expect(output).toContain('WEB_CONCURRENCY > 1 needs REDIS_URL')
  })
})
