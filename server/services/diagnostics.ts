// The admin diagnostics report (issue 24): versions, the stores' round trips, migrations, the
// processes seen lately, the effective configuration with every secret masked, the clock against
// the database's, and whether TRUST_PROXY fits the request. Knows neither Koa nor Vue: the route
// passes the request's facts, the page renders the plain object it gets.
// Every probe is bounded and caught: the report is read when something is wrong, so a store that is
// down or hangs becomes a line saying so, never a failed page.
import os from 'node:os'
import { QueryTypes, type Sequelize } from 'sequelize'
import pkg from '../../package.json' with { type: 'json' }
import type { Config } from '../config.server.js'
import type { KeyValue } from '../lib/kv.js'
import { createMigrator } from '../lib/db.js'
import { maskUrl } from '../lib/mask.js'
import {
  IN_MEMORY_STORE,
  type ConfigEntry,
  type DiagnosticsReport,
  type Probe,
  type ProcessSeen,
  type RequestFacts,
  type Verdict,
} from '../../shared/diagnostics.js'

export { supportText, type DiagnosticsReport, type RequestFacts } from '../../shared/diagnostics.js'

/** Each process announces itself this often; an announcement lives PROCESS_TTL_MS. */
export const HEARTBEAT_MS = 30_000
const PROCESS_TTL_MS = 90_000
/** Longest wait for one probe: a store that hangs must not hang the page. */
const PROBE_TIMEOUT_MS = 5_000
/** Most processes read back: a bound, the set of names is pruned as it is read (every heartbeat). */
const MAX_PROCESSES = 200
// Key names without the prefix: the kv adds it (ioredis keyPrefix). The set lists who announced
// themselves, so the report reads a few keys instead of scanning a keyspace full of sessions, and
// the in-memory store answers the same way for its single process.
const PROCESSES_KEY = 'procs'
const processKey = (id: string) => `proc:${id}`

export interface DiagnosticsDeps {
  config: Config
  sequelize: Sequelize
  kv: KeyValue
  /** When this process started (ms since the epoch); the process's own start by default. */
  startedAt?: number
  /** The deployed commit, when the composition root knows it cheaply (e.g. GIT_COMMIT). */
  commit?: string
}

export type Diagnostics = ReturnType<typeof createDiagnostics>

export function createDiagnostics(deps: DiagnosticsDeps) {
  const { config, sequelize, kv } = deps
  const startedAt = deps.startedAt ?? Math.round(Date.now() - process.uptime() * 1000)
  const self = { host: os.hostname(), pid: process.pid }
  const selfId = `${self.host}:${self.pid}`
  const redact = redactor(config)
  /** Runs a probe within the time limit; a failure becomes its message, any secret in it masked. */
  const probe = async <T>(fn: () => Promise<T>): Promise<Probe<T>> => {
    try {
      return { ok: true, ...(await within(PROBE_TIMEOUT_MS, fn())) }
    } catch (err) {
      return { ok: false, error: redact(err instanceof Error ? err.message : String(err)) }
    }
  }

  async function postgres() {
    // The version first: it also takes a connection from the pool, so the timed SELECT 1 measures
    // the round trip, not a connection's setup.
    const [{ version }] = await sequelize.query<{ version: string }>("SELECT current_setting('server_version') AS version", { type: QueryTypes.SELECT })
    const roundTripMs = await timed(() => sequelize.query('SELECT 1', { type: QueryTypes.SELECT }))
    return { version, roundTripMs }
  }

  async function clock() {
    // clock_timestamp(), not now(): now() is the transaction's start. The database read its clock
    // about half a round trip after we sent the query.
    const sentAt = Date.now()
    const start = performance.now()
    const [{ ms }] = await sequelize.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms', { type: QueryTypes.SELECT })
    const roundTripMs = round1(performance.now() - start)
    return { skewMs: Math.round(Number(ms) - (sentAt + roundTripMs / 2)), roundTripMs }
  }

  async function redis() {
    if (!kv.redis) return { version: IN_MEMORY_STORE, roundTripMs: null }
    const info = await kv.redis.info('server')
    const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown'
    const roundTripMs = await timed(() => kv.ping())
    return { version, roundTripMs }
  }

  // Made on first use: umzug defines its SequelizeMeta model on the app's Sequelize once.
  let migrator: ReturnType<typeof createMigrator> | undefined
  async function migrations() {
    migrator ??= createMigrator(sequelize)
    // umzug lists the files (pending ones, and applied ones it knows); the table itself also has
    // the names it does not know, applied by a newer version of the code.
    const pending = (await migrator.pending()).map((m) => m.name)
    const known = new Set((await migrator.executed()).map((m) => m.name))
    const rows = await sequelize.query<{ name: string }>('SELECT name FROM "SequelizeMeta" ORDER BY name', { type: QueryTypes.SELECT })
    const applied = rows.map((r) => r.name)
    // db.ts finds the files beside its own source: from a bundle (a page's +data) it finds none,
    // and every applied migration would look unknown.
    if (applied.length && !pending.length && !known.size) throw new Error('no migration files found beside server/lib/db.ts to compare with')
    return { applied: applied.length, latest: applied.at(-1) ?? null, pending, unknown: applied.filter((n) => !known.has(n)) }
  }

  /** The announcements still alive; the names of those that expired leave the set. */
  async function announced() {
    const ids = (await kv.sMembers(PROCESSES_KEY)).sort().slice(0, MAX_PROCESSES)
    const values = await Promise.all(ids.map((id) => kv.get(processKey(id))))
    const gone = ids.filter((_, i) => values[i] === null)
    await Promise.all(gone.map((id) => kv.sRem(PROCESSES_KEY, id)))
    return values.flatMap((v) => parseProcess(v, selfId))
  }

  async function processes() {
    const seen = await announced()
    // This process is alive whether or not its heartbeat ran yet.
    if (!seen.some((p) => p.current)) seen.unshift({ ...self, startedAt: new Date(startedAt).toISOString(), version: pkg.version, current: true })
    return { windowSeconds: PROCESS_TTL_MS / 1000, seen }
  }

  return {
    async report(request: RequestFacts): Promise<DiagnosticsReport> {
      // One store's probes one after the other (in the order written), so that none times
      // another's queries; the two stores side by side.
      const [db, store] = await Promise.all([
        (async () => ({ postgres: await probe(postgres), clock: await probe(clock), migrations: await probe(migrations) }))(),
        (async () => ({ redis: await probe(redis), processes: await probe(processes) }))(),
      ])
      return {
        generatedAt: new Date().toISOString(),
        app: {
          version: pkg.version,
          commit: deps.commit ?? null,
          node: process.version,
          platform: `${process.platform}/${process.arch}`,
          env: config.env,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        },
        ...db,
        ...store,
        config: configEntries(config),
        proxy: { request, verdicts: proxyVerdicts(config, request) },
      }
    },

    /** Announces this process for PROCESS_TTL_MS (backgroundJobs.ts repeats it every HEARTBEAT_MS). */
    async heartbeat(): Promise<void> {
      const value = JSON.stringify({ ...self, startedAt: new Date(startedAt).toISOString(), version: pkg.version })
      await kv.set(processKey(selfId), value, PROCESS_TTL_MS)
      // The set outlives every member by a round, so it expires only once no process is left;
      // meanwhile each round drops the names of processes that stopped (a restart adds one).
      await kv.sAdd(PROCESSES_KEY, selfId, PROCESS_TTL_MS + HEARTBEAT_MS)
      await announced()
    },
  }
}

function parseProcess(raw: string | null, selfId: string): ProcessSeen[] {
  if (raw === null) return []
  try {
    const p = JSON.parse(raw) as Partial<ProcessSeen>
    if (typeof p.host !== 'string' || typeof p.pid !== 'number') return []
    return [{ host: p.host, pid: p.pid, startedAt: String(p.startedAt ?? ''), version: String(p.version ?? ''), current: `${p.host}:${p.pid}` === selfId }]
  } catch {
    return []
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return round1(performance.now() - start)
}

const round1 = (n: number) => Math.round(n * 10) / 10

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

// --- Configuration ---

const MASKED = 'set (masked)'

const entry = (key: string, value: unknown): ConfigEntry => ({ key, value: value === undefined ? 'unset' : String(value) })

// One function per field of Config, named by the environment variable it comes from. The type
// makes it exhaustive: a new top-level field of Config does not compile until it is listed here,
// shown or masked on purpose (a field added inside a group, like limits, is only shown once added).
const CONFIG_ENTRIES: { [K in keyof Config]: (value: Config[K], config: Config) => ConfigEntry[] } = {
  env: (v) => [entry('NODE_ENV', v)],
  // `npm start` on a fresh machine: production code without production's strict checks.
  production: (v, c) => [entry('LOCAL_START', c.env === 'production' && !v)],
  port: (v) => [entry('PORT', v)],
  host: (v) => [entry('HOST', v)],
  appOrigin: (v) => [entry('APP_ORIGIN', v)],
  databaseUrl: (v) => [entry('DATABASE_URL', v === undefined ? 'unset (embedded PostgreSQL)' : maskUrl(v))],
  embeddedPgPort: (v) => [entry('EMBEDDED_PG_PORT', v)],
  redisUrl: (v) => [entry('REDIS_URL', v === undefined ? `unset (${IN_MEMORY_STORE})` : maskUrl(v))],
  redisPrefix: (v) => [entry('REDIS_PREFIX', v)],
  sessionSecrets: (v) => [entry('SESSION_SECRETS', v.length ? `${MASKED}, ${v.length} ${v.length === 1 ? 'key' : 'keys'}` : 'unset')],
  cookieSecure: (v) => [entry('COOKIE_SECURE', v)],
  trustProxy: (v) => [entry('TRUST_PROXY', v)],
  smtpUrl: (v) => [entry('SMTP_URL', v === undefined ? 'unset (mail written as files under MAIL_DIR)' : maskUrl(v))],
  mailFrom: (v) => [entry('MAIL_FROM', v)],
  mailDir: (v) => [entry('MAIL_DIR', v)],
  // Follows from LOCAL_START and NODE_ENV: nothing of its own to show.
  logMailLinks: () => [],
  metricsToken: (v) => [entry('METRICS_TOKEN', v === undefined ? 'unset' : MASKED)],
  dataDir: (v) => [entry('DATA_DIR', v)],
  webConcurrency: (v) => [entry('WEB_CONCURRENCY', v)],
  kdf: (v) => [entry('KDF_LOG_N', v.logN)],
  logLevel: (v) => [entry('LOG_LEVEL', v)],
  rateLimits: (v) => [
    entry('RATE_LOGIN_PER_EMAIL', v.loginPerEmail),
    entry('RATE_LOGIN_PER_IP', v.loginPerIp),
    entry('RATE_REGISTER_PER_IP', v.registerPerIp),
    entry('RATE_SCORING_PER_USER', v.scoringPerUser),
  ],
  strengthQueueMax: (v) => [entry('STRENGTH_QUEUE_MAX', v)],
  limits: (v) => [
    entry('LIMIT_FOLDERS_PER_USER', v.foldersPerUser),
    entry('LIMIT_ITEMS_PER_FOLDER', v.itemsPerFolder),
    entry('LIMIT_MEMBERS_PER_FOLDER', v.membersPerFolder),
    entry('LIMIT_ATTACHMENT_BYTES', v.attachmentBytes),
    entry('LIMIT_ATTACHMENT_QUOTA_BYTES', v.attachmentQuotaBytes),
  ],
  // Administrators' addresses are personal data, not configuration to paste into a bug report.
  admin: (v) => [
    entry('ADMIN_EMAILS', v.emails.length ? `${v.emails.length} ${v.emails.length === 1 ? 'address' : 'addresses'} (not shown)` : 'unset'),
    entry('ADMIN_REAUTH_SECONDS', String(v.reauthMs / 1000)),
  ],
  signup: (v) => [
    entry('SIGNUP_POLICY', v.policy),
    entry('SIGNUP_DOMAINS', v.domains.length ? v.domains.join(',') : 'unset'),
    entry('SIGNUP_INVITE_DAYS', v.inviteTtlMs / (24 * 3600_000)),
  ],
  activity: (v) => [entry('ACTIVITY_RETENTION_DAYS', v.retentionMs / (24 * 3600_000))],
  shutdown: (v) => [entry('SHUTDOWN_GRACE_MS', v.graceMs), entry('SHUTDOWN_TIMEOUT_MS', v.timeoutMs)],
}

/** The effective configuration, every secret masked. */
export function configEntries(config: Config): ConfigEntry[] {
  return (Object.keys(CONFIG_ENTRIES) as (keyof Config)[]).flatMap(<K extends keyof Config>(k: K) => CONFIG_ENTRIES[k](config[k], config))
}

/**
 * Masks the configuration's secrets in free text (a driver's error message may quote a user name).
 * The report's other text is built from masked values and never needs it.
 */
function redactor(config: Config): (text: string) => string {
  const secrets = new Set<string>([...config.sessionSecrets, ...(config.metricsToken ? [config.metricsToken] : [])])
  for (const value of [config.databaseUrl, config.redisUrl, config.smtpUrl]) {
    if (!value) continue
    try {
      const url = new URL(value)
      for (const part of [url.username, url.password]) if (part) secrets.add(part).add(safeDecode(part))
    } catch {
      secrets.add(value) // not a URL: the whole value is the secret
    }
  }
  // Longest first, so a secret that contains another is masked whole.
  const ordered = [...secrets].filter(Boolean).sort((a, b) => b.length - a.length)
  return (text) => ordered.reduce((t, s) => t.split(s).join('***'), text)
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

// --- Proxy and HTTPS ---

/** Whether TRUST_PROXY, APP_ORIGIN and COOKIE_SECURE fit how this request arrived. */
export function proxyVerdicts(config: Pick<Config, 'trustProxy' | 'appOrigin' | 'cookieSecure'>, request: RequestFacts): Verdict[] {
  const verdicts: Verdict[] = []
  const warn = (text: string) => verdicts.push({ level: 'warn', text })
  const ok = (text: string) => verdicts.push({ level: 'ok', text })
  const headers = (
    [
      ['X-Forwarded-For', request.forwardedFor],
      ['X-Forwarded-Proto', request.forwardedProto],
      ['X-Forwarded-Host', request.forwardedHost],
    ] as const
  )
    .filter(([, v]) => v)
    .map(([name]) => name)
  const origin = new URL(config.appOrigin)
  const originHttps = origin.protocol === 'https:'

  if (!config.trustProxy && headers.length) {
    warn(
      `TRUST_PROXY is off but this request carried ${headers.join(', ')}: the app sees the proxy's address, not the client's ` +
        '(rate limits and the device list then see one address for everyone), and never the https of the proxy. Set TRUST_PROXY=true.',
    )
  } else if (config.trustProxy && !headers.length) {
    warn(
      'TRUST_PROXY is on but no X-Forwarded-* header arrived: this request reached the app directly, and anyone reaching ' +
        'the app directly can forge them (their address, https). Let only the proxy reach the app, or make the proxy send them.',
    )
  } else if (config.trustProxy && (request.forwardedFor ?? '').includes(',')) {
    warn(
      'X-Forwarded-For holds several addresses and the app takes the first, which the client chose when the proxy appends to ' +
        'the header: make the proxy replace it (nginx: proxy_set_header X-Forwarded-For $remote_addr).',
    )
  } else {
    ok(config.trustProxy ? 'TRUST_PROXY is on and this request came through a proxy.' : 'TRUST_PROXY is off and this request came without X-Forwarded-* headers.')
  }

  if (originHttps && !request.secure) {
    warn(
      `APP_ORIGIN is https but the request arrived as ${request.protocol}: ` +
        (config.trustProxy
          ? 'the proxy does not send X-Forwarded-Proto: https.'
          : 'behind a proxy that terminates TLS, set TRUST_PROXY=true and make it send X-Forwarded-Proto: https.'),
    )
  } else if (!originHttps && request.secure) {
    warn('APP_ORIGIN is http but the request arrived as https: links in mail use http, and forms posted from the https address are refused. Set APP_ORIGIN to the https address.')
  } else {
    ok(`The request arrived as ${request.protocol}, as APP_ORIGIN says.`)
  }

  if (request.host.toLowerCase() !== origin.host) {
    warn(`This request was addressed to ${request.host} but APP_ORIGIN is ${config.appOrigin}: links in mail point there, and in production forms posted from another address are refused.`)
  } else {
    ok('The request was addressed to the host of APP_ORIGIN.')
  }

  if (originHttps && !config.cookieSecure) warn('COOKIE_SECURE is off with an https APP_ORIGIN: the session cookie would also travel over plain http.')
  return verdicts
}
