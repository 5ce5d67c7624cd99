// The one validated configuration object. Nothing else reads process.env.
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFrom(0, 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  APP_ORIGIN: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  EMBEDDED_PG_PORT: intFrom(1, 65535).default(54329),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  REDIS_PREFIX: z.string().default('nid:'),
  SESSION_SECRETS: z.string().optional(),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: bool.default(false),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('NucleusID <no-reply@nucleusid.local>'),
  MAIL_DIR: z.string().default('.data/mail'),
  WEB_CONCURRENCY: intFrom(1, 64).default(1),
  KDF_LOG_N: intFrom(10, 20).default(17),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LOGIN_PER_EMAIL: intFrom(1, 10_000).default(5),
  RATE_LOGIN_PER_IP: intFrom(1, 100_000).default(30),
  RATE_REGISTER_PER_IP: intFrom(1, 100_000).default(5),
  LIMIT_FOLDERS_PER_USER: intFrom(1, 100_000).default(100),
  LIMIT_ITEMS_PER_FOLDER: intFrom(1, 1_000_000).default(5000),
  LIMIT_MEMBERS_PER_FOLDER: intFrom(1, 10_000).default(50),
})

export type Config = ReturnType<typeof loadConfig>

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const c = parsed.data
  const production = c.NODE_ENV === 'production'
  const secrets = (c.SESSION_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean)

  const problems: string[] = []
  if (production) {
    if (secrets.length === 0) problems.push('SESSION_SECRETS is required in production')
    if (secrets.some((s) => s.length < 32)) problems.push('each SESSION_SECRETS entry must be at least 32 characters')
    if (!c.REDIS_URL) problems.push('REDIS_URL is required in production (the in-memory session store is for development only)')
    if (c.KDF_LOG_N < 17) problems.push('KDF_LOG_N below 17 is refused in production')
    if (!c.APP_ORIGIN) problems.push('APP_ORIGIN is required in production')
  }
  if (!c.REDIS_URL && c.WEB_CONCURRENCY > 1) {
    problems.push('WEB_CONCURRENCY > 1 needs REDIS_URL: the in-memory store cannot be shared between workers')
  }
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)

  return {
    env: c.NODE_ENV,
    production,
    port: c.PORT,
    host: c.HOST,
    appOrigin: (c.APP_ORIGIN ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    databaseUrl: c.DATABASE_URL,
    embeddedPgPort: c.EMBEDDED_PG_PORT,
    redisUrl: c.REDIS_URL,
    redisPrefix: c.REDIS_PREFIX,
    // Development without SESSION_SECRETS gets a fixed, clearly non-secret key so restarts keep sessions.
    sessionSecrets: secrets.length ? secrets : ['development-only-session-secret-change-me'],
    cookieSecure: c.COOKIE_SECURE ?? production,
    trustProxy: c.TRUST_PROXY,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    mailDir: c.MAIL_DIR,
    webConcurrency: c.WEB_CONCURRENCY,
    kdf: { logN: c.KDF_LOG_N, r: 8, p: 1 },
    logLevel: c.LOG_LEVEL,
    rateLimits: {
      loginPerEmail: c.RATE_LOGIN_PER_EMAIL,
      loginPerIp: c.RATE_LOGIN_PER_IP,
      registerPerIp: c.RATE_REGISTER_PER_IP,
    },
    limits: {
      foldersPerUser: c.LIMIT_FOLDERS_PER_USER,
      itemsPerFolder: c.LIMIT_ITEMS_PER_FOLDER,
      membersPerFolder: c.LIMIT_MEMBERS_PER_FOLDER,
    },
  }
}
