// `npm start` is signal-safe: SIGTERM to npm, or Ctrl-C (SIGINT to the whole process group: npm
// and the server both get it, and npm forwards it once more) drains the server, which exits 0,
// and npm waits for it: nothing is left running or listening. It reuses the build the suite made.
import { spawn } from 'node:child_process'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/scratch-stores.mjs'
import { logLines } from '../helpers/server.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })

async function npmStart(env: Record<string, string>) {
  const port = await freePort()
  // detached: its own process group, like a terminal's foreground job.
  const npm = spawn('npm', ['start', '--silent'], {
    detached: true,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      APP_ORIGIN: `http://localhost:${port}`,
      SESSION_SECRETS: 'npm-start-test-secret-0123456789abcdef0123',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  npm.stdout!.on('data', (d) => (output += d))
  npm.stderr!.on('data', (d) => (output += d))
  // 'close', not 'exit': after 'exit' the pipes may still hold the last lines (a worker's
  // "stopped", written just before it exits), which the assertions read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('close', (code, signal) => resolve({ code, signal })),
  )
  // Generous: cold tsx starts of several processes on a busy 2-core machine take tens of seconds.
  for (const deadline = Date.now() + 150_000; ; ) {
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break
    if (npm.exitCode !== null || Date.now() > deadline) {
      process.kill(-npm.pid!, 'SIGKILL')
      throw new Error(`npm start did not get ready:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  return { npm, port, exited, output: () => output }
}

describe('npm start', { timeout: 300_000 }, () => {
  it('SIGTERM to npm: the server drains, exits 0, and npm exits 0 after it', async () => {
    const s = await npmStart({})
    // The suite built dist/ just before: npm start must not build again.
    expect(s.output()).not.toContain('Building NucleusID')
    const serverPid = logLines(s.output()).find((l) => l.msg === 'NucleusID listening')!.pid
    expect(serverPid).not.toBe(s.npm.pid)
    process.kill(s.npm.pid!, 'SIGTERM')
    const { code } = await s.exited
    // npm is gone only after the server: no orphan, nothing on the port.
    expect(alive(serverPid)).toBe(false)
    expect(await listening(s.port)).toBe(false)
    expect(code).toBe(0)
    const msgs = logLines(s.output()).filter((l) => l.pid === serverPid).map((l) => l.msg)
    expect(msgs).toContain('draining in-flight requests')
    expect(msgs).toContain('stopped')
  })

  it('Ctrl-C (SIGINT to the process group), with WEB_CONCURRENCY=2: every worker drains, npm waits and exits 0', async () => {
    const s = await npmStart({ WEB_CONCURRENCY: '2' })
    // Both workers listening (cluster mode started through server/start.ts).
    for (let i = 0; i < 600 && logLines(s.output()).filter((l) => l.msg === 'NucleusID listening').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    const lines = logLines(s.output())
    const workers = [...new Set(lines.filter((l) => l.msg === 'NucleusID listening').map((l) => l.pid))]
    expect(workers).toHaveLength(2)
    const pids = [...new Set(lines.map((l) => l.pid))] // the primary and the workers
    expect(pids.length).toBe(3)
    process.kill(-s.npm.pid!, 'SIGINT')
    const { code, signal } = await s.exited
    for (const pid of pids) expect(alive(pid), `pid ${pid} still running after npm exited`).toBe(false)
    expect(await listening(s.port)).toBe(false)
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    const stopped = new Set(logLines(s.output()).filter((l) => l.msg === 'stopped').map((l) => l.pid))
    expect(stopped).toEqual(new Set(workers))
  })
})
