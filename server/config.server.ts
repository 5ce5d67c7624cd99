// The one validated configuration object. Nothing else reads process.env.
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  // Set by `npm start` (server/start.ts) when NODE_ENV was unset: production code, local defaults.
  LOCAL_START: bool.default(false),
  PORT: intFrom(0, 65535).default(3000),
  // Loopback unless told otherwise: a first run is not reachable from the network.
  HOST: z.string().default('127.0.0.1'),
  APP_ORIGIN: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  EMBEDDED_PG_PORT: intFrom(1, 65535).default(54329),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  REDIS_PREFIX: z.string().default('nid:'),
  SESSION_SECRETS: z.string().optional(),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: bool.default(false),
  SMTP_URL: z.string().optional(),
  // Production without SMTP_URL must opt in to writing mail as files (nobody may read them).
  MAIL_TO_DIRECTORY: bool.default(false),
  // /metrics answers loopback, or a request with `Authorization: Bearer $METRICS_TOKEN`.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Where the generated development secret and embedded PostgreSQL live.
  DATA_DIR: z.string().default('.data'),
  MAIL_FROM: z.string().default('NucleusID <no-reply@nucleusid.local>'),
  MAIL_DIR: z.string().default('.data/mail'),
  WEB_CONCURRENCY: intFrom(1, 64).default(1),
  KDF_LOG_N: intFrom(10, 20).default(17),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LOGIN_PER_EMAIL: intFrom(1, 10_000).default(5),
  RATE_LOGIN_PER_IP: intFrom(1, 100_000).default(30),
  RATE_REGISTER_PER_IP: intFrom(1, 100_000).default(5),
  // Password-strength scoring per user and hour, in points: 1 for a password of up to 20
  // characters, growing with the square of its length to 25 at 100 (services/passwordStrength.ts).
  RATE_SCORING_PER_USER: intFrom(1, 10_000_000).default(10_000),
  // Scoring tasks that may wait for a thread of the strength pool; past it new work gets 503.
  STRENGTH_QUEUE_MAX: intFrom(1, 100_000).default(32),
  LIMIT_FOLDERS_PER_USER: intFrom(1, 100_000).default(100),
  LIMIT_ITEMS_PER_FOLDER: intFrom(1, 1_000_000).default(5000),
  LIMIT_MEMBERS_PER_FOLDER: intFrom(1, 10_000).default(50),
  // Attachments (ADR 033): bytes per file, and bytes in all per user (charged to the folder's owner).
  LIMIT_ATTACHMENT_BYTES: intFrom(1, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
  LIMIT_ATTACHMENT_QUOTA_BYTES: intFrom(0, Number.MAX_SAFE_INTEGER).default(250 * 1024 * 1024),
  // --- Running an instance (issue 24, ADR 036). Comma lists; the policy and domains are defaults
  // an administrator can change at runtime on /admin/settings (stored in the database).
  ADMIN_EMAILS: z.string().default(''),
  SIGNUP_POLICY: z.enum(['open', 'invite', 'closed']).default('open'),
  SIGNUP_DOMAINS: z.string().default(''),
  SIGNUP_INVITE_DAYS: intFrom(1, 90).default(7),
  // How long the master password typed at login or /admin/unlock keeps /admin open.
  ADMIN_REAUTH_SECONDS: intFrom(1, 3600).default(600),
  // Security activity (issue 25): days an event is kept before the hourly prune removes it.
  ACTIVITY_RETENTION_DAYS: intFrom(1, 3650).default(180),
  // --- Shutdown (server/shutdown.ts). On SIGTERM /readyz answers 503 for SHUTDOWN_GRACE_MS while the
  // server keeps serving (so a balancer that polls it stops sending), then in-flight requests get
  // up to SHUTDOWN_TIMEOUT_MS to finish before their connections are cut.
  SHUTDOWN_GRACE_MS: intFrom(0, 600_000).default(0),
  SHUTDOWN_TIMEOUT_MS: intFrom(100, 600_000).default(10_000),
})

export type Config = ReturnType<typeof loadConfig>

/** `a@x.org, B@y.org` -> lowercase entries, empty ones dropped. */
const commaList = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const c = parsed.data
  // Strict production: what a deployment must configure is required. `npm start` on a fresh
  // machine runs the production build without it (LOCAL_START).
  const production = c.NODE_ENV === 'production' && !c.LOCAL_START
  const secrets = (c.SESSION_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean)

  const appOrigin = (c.APP_ORIGIN ?? `http://localhost:${c.PORT}`).replace(/\/$/, '')
  const cookieSecure = c.COOKIE_SECURE ?? appOrigin.startsWith('https:')

  const problems: string[] = []
  if (production) {
    if (appOrigin.startsWith('https:') && !cookieSecure) {
      problems.push('COOKIE_SECURE=false with an https APP_ORIGIN is refused in production: cookies would travel in clear')
    }
    if (!c.SMTP_URL && !c.MAIL_TO_DIRECTORY) {
      problems.push('SMTP_URL is required in production (or MAIL_TO_DIRECTORY=true to write mail as files under MAIL_DIR)')
    }
    if (secrets.length === 0) problems.push('SESSION_SECRETS is required in production')
    if (secrets.some((s) => s.length < 32)) problems.push('each SESSION_SECRETS entry must be at least 32 characters')
    if (!c.REDIS_URL) problems.push('REDIS_URL is required in production (the in-memory session store is for development only)')
    if (c.KDF_LOG_N < 17) problems.push('KDF_LOG_N below 17 is refused in production')
    if (!c.APP_ORIGIN) problems.push('APP_ORIGIN is required in production')
  }
  if (!c.REDIS_URL && c.WEB_CONCURRENCY > 1) {
    problems.push('WEB_CONCURRENCY > 1 needs REDIS_URL: the in-memory store cannot be shared between workers')
  }
  // This server only speaks plain HTTP, so Koa sees every request as insecure unless it trusts a
  // TLS-terminating proxy's X-Forwarded-Proto; koa-session then throws on every Secure cookie.
  if (cookieSecure && !c.TRUST_PROXY) {
    problems.push(
      'COOKIE_SECURE=true (the default with an https APP_ORIGIN) needs TRUST_PROXY=true: this server speaks plain HTTP, ' +
        'so Secure cookies can only be set behind a TLS-terminating proxy that sends X-Forwarded-Proto: https. ' +
        'Set TRUST_PROXY=true (and make the proxy send that header), or COOKIE_SECURE=false for plain-HTTP local use.',
    )
  }
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)

  return {
    env: c.NODE_ENV,
    production,
    port: c.PORT,
    host: c.HOST,
    appOrigin,
    databaseUrl: c.DATABASE_URL,
    embeddedPgPort: c.EMBEDDED_PG_PORT,
    redisUrl: c.REDIS_URL,
    redisPrefix: c.REDIS_PREFIX,
    // Empty outside production when unset: lib/secrets.ts then generates one under DATA_DIR.
    sessionSecrets: secrets,
    cookieSecure,
    trustProxy: c.TRUST_PROXY,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    mailDir: c.MAIL_DIR,
    /** Mail written to files may carry links; they are logged only outside production. */
    logMailLinks: !production,
    metricsToken: c.METRICS_TOKEN,
    dataDir: c.DATA_DIR,
    webConcurrency: c.WEB_CONCURRENCY,
    kdf: { logN: c.KDF_LOG_N, r: 8, p: 1 },
    logLevel: c.LOG_LEVEL,
    rateLimits: {
      loginPerEmail: c.RATE_LOGIN_PER_EMAIL,
      loginPerIp: c.RATE_LOGIN_PER_IP,
      registerPerIp: c.RATE_REGISTER_PER_IP,
      scoringPerUser: c.RATE_SCORING_PER_USER,
    },
    strengthQueueMax: c.STRENGTH_QUEUE_MAX,
    limits: {
      foldersPerUser: c.LIMIT_FOLDERS_PER_USER,
      itemsPerFolder: c.LIMIT_ITEMS_PER_FOLDER,
      membersPerFolder: c.LIMIT_MEMBERS_PER_FOLDER,
      attachmentBytes: c.LIMIT_ATTACHMENT_BYTES,
      attachmentQuotaBytes: c.LIMIT_ATTACHMENT_QUOTA_BYTES,
    },
    admin: {
      /** Granted the admin role at start and at registration (never revoked by leaving the list). */
      emails: commaList(c.ADMIN_EMAILS),
      reauthMs: c.ADMIN_REAUTH_SECONDS * 1000,
    },
    signup: {
      policy: c.SIGNUP_POLICY,
      domains: commaList(c.SIGNUP_DOMAINS).map((d) => d.replace(/^@/, '')),
      inviteTtlMs: c.SIGNUP_INVITE_DAYS * 24 * 60 * 60 * 1000,
    },
    activity: { retentionMs: c.ACTIVITY_RETENTION_DAYS * 24 * 60 * 60 * 1000 },
    // --- Shutdown (see the schema).
    shutdown: { graceMs: c.SHUTDOWN_GRACE_MS, timeoutMs: c.SHUTDOWN_TIMEOUT_MS },
  }
}
