// A server process of a test's own (its own env: secrets, limits, cookies), started like
// `npm start` starts one, against the suite's PostgreSQL and Redis.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import { freePort } from '../../scripts/scratch-stores.mjs'

const { DATABASE_URL, REDIS_URL, REDIS_PREFIX } = process.env
if (!DATABASE_URL || !REDIS_URL || !REDIS_PREFIX) throw new Error('run the suite with `npm test`')

export interface TestServer {
  child: ChildProcess
  /** http://127.0.0.1:port */
  url: string
  /** http://localhost:port: the APP_ORIGIN, which POSTs must name as their Origin. */
  origin: string
  port: number
  exited: Promise<number | null>
  log: () => string
  stop: () => Promise<number | null>
}

export async function startServer(extraEnv: Record<string, string>, opts: { port?: number } = {}): Promise<TestServer> {
  const port = opts.port ?? (await freePort())
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      APP_ORIGIN: `http://localhost:${port}`,
      SESSION_SECRETS: 'process-test-secret-0123456789abcdef0123',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    return exited
  }
  // Generous: a cold tsx start of two cluster workers on a 2-core machine busy with the rest of
  // the suite has taken over a minute.
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false)
    if (ok) return { child, url, origin: `http://localhost:${port}`, port, exited, log: () => output, stop }
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 150))
  }
  child.kill('SIGKILL')
  throw new Error(`server did not start:\n${output}`)
}

/**
 * A server of the test file's own: started before its tests and stopped after them. The object is
 * filled in by the time the first test runs.
 */
export function serverForFile(extraEnv: Record<string, string>, timeoutMs = 90_000): TestServer {
  const server = {} as TestServer
  beforeAll(async () => {
    Object.assign(server, await startServer(extraEnv))
  }, timeoutMs)
  afterAll(async () => {
    await server.stop?.()
  })
  return server
}

/**
 * A REDIS_PREFIX for a server's own counters (rate limits), so that the points the shared servers
 * spend for 127.0.0.1 do not count; under the run's prefix, which npm test deletes afterwards.
 */
export const ownRedisPrefix = (tag: string) => `${REDIS_PREFIX}${tag}-${randomBytes(3).toString('hex')}:`

/** The JSON lines of a server's log. */
export const logLines = (log: string) =>
  log
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; pid: number; level: number } & Record<string, unknown>)
