// The diagnostics report (issue 24): every secret masked, the proxy verdicts, and the report and
// its support text built against the suite's real PostgreSQL and Redis, holding none of the
// configuration's secrets.
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../config.server.js'
import { createSequelize } from '../lib/db.js'
import { createMemoryKv, createRedisKv } from '../lib/kv.js'
import { IN_MEMORY_STORE } from '../../shared/diagnostics.js'
import { configEntries, createDiagnostics, proxyVerdicts, supportText, type RequestFacts } from './diagnostics.js'

const databaseUrl = process.env.DATABASE_URL
const redisUrl = process.env.REDIS_URL
if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL are not set: run the suite with `npm test`')

const sequelize = createSequelize(databaseUrl, { poolMax: 2 })
// A prefix of its own: the processes this file announces are not the running servers'.
const kv = createRedisKv(redisUrl, `${process.env.REDIS_PREFIX ?? 'nid-test:'}diagnostics-${randomBytes(4).toString('hex')}:`)
// Without an offline queue a command before the connection fails at once (as in the app).
beforeAll(() => kv.whenReady(10_000))
afterAll(async () => {
  await Promise.all([sequelize.close(), kv.close()])
})

// Distinctive strings: any of them in the output is a leak, never a coincidence.
const SECRETS = {
  session1: 'SessSecretAlpha-4f1c9e7a2b6d8e0f1a3c5e7b9d',
  session2: 'SessSecretBravo-0a2c4e6f8b1d3f5a7c9e1b3d5f',
  dbUser: 'dbUserCharlie7731',
  dbPassword: 'dbPassDelta-9c8b7a',
  redisPassword: 'redisPassEcho-5e4d3c',
  smtpUser: 'smtpUserFoxtrot@mail.example.test',
  smtpPassword: 'smtpPassGolf-2b1a0f',
  metricsToken: 'metricsTokenHotel-8f7e6d5c4b3a',
  // Not a secret, but personal data: no more at home in a bug report.
  adminEmail: 'admin-india-3e2d@example.test',
}

/** A configuration loaded the way the app loads it, from an environment full of secrets. */
function secretConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    APP_ORIGIN: 'https://vault.example.test',
    TRUST_PROXY: 'true',
    SESSION_SECRETS: `${SECRETS.session1},${SECRETS.session2}`,
    DATABASE_URL: `postgres://${SECRETS.dbUser}:${SECRETS.dbPassword}@db.internal.test:5432/nucleusid?sslmode=require`,
    REDIS_URL: `redis://:${SECRETS.redisPassword}@redis.internal.test:6379/0`,
    SMTP_URL: `smtps://${encodeURIComponent(SECRETS.smtpUser)}:${SECRETS.smtpPassword}@smtp.example.test:465`,
    METRICS_TOKEN: SECRETS.metricsToken,
    ADMIN_EMAILS: SECRETS.adminEmail,
    ...env,
  })
}

const REQUESTER_IP = '203.0.113.77'
const PROXY_IP = '10.9.8.7'
const throughProxy: RequestFacts = {
  protocol: 'https',
  secure: true,
  ip: REQUESTER_IP,
  remoteAddress: PROXY_IP,
  forwardedFor: REQUESTER_IP,
  forwardedProto: 'https',
  forwardedHost: 'vault.example.test',
  host: 'vault.example.test',
}

function expectNoSecret(text: string) {
  for (const [name, secret] of Object.entries(SECRETS)) {
    expect(text, name).not.toContain(secret)
    expect(text, `${name} (URL-encoded)`).not.toContain(encodeURIComponent(secret))
  }
}

describe('configEntries', () => {
  it('masks every secret and says which are set', () => {
    const entries = configEntries(secretConfig())
    expectNoSecret(JSON.stringify(entries))
    const value = (key: string) => entries.find((e) => e.key === key)?.value
    expect(value('SESSION_SECRETS')).toBe('set (masked), 2 keys')
    expect(value('METRICS_TOKEN')).toBe('set (masked)')
    expect(value('DATABASE_URL')).toBe('postgres://***@db.internal.test:5432/nucleusid?***')
    expect(value('REDIS_URL')).toBe('redis://***@redis.internal.test:6379/0')
    expect(value('SMTP_URL')).toBe('smtps://***@smtp.example.test:465')
    expect(value('ADMIN_EMAILS')).toBe('1 address (not shown)')
    // What is not secret stays readable.
    expect(value('APP_ORIGIN')).toBe('https://vault.example.test')
    expect(value('TRUST_PROXY')).toBe('true')
    expect(value('KDF_LOG_N')).toBe('17')
  })

  it('masks a value that is not a URL whole', () => {
    const secret = 'smtp-juliet-not-a-url'
    const entries = configEntries(secretConfig({ SMTP_URL: secret }))
    expect(entries.find((e) => e.key === 'SMTP_URL')?.value).toBe('*** (set)')
    expect(JSON.stringify(entries)).not.toContain(secret)
  })

  it('says what an unset store or secret means', () => {
    const entries = configEntries(loadConfig({ NODE_ENV: 'test' }))
    const value = (key: string) => entries.find((e) => e.key === key)?.value
    expect(value('DATABASE_URL')).toBe('unset (embedded PostgreSQL)')
    expect(value('REDIS_URL')).toBe(`unset (${IN_MEMORY_STORE})`)
    expect(value('SESSION_SECRETS')).toBe('unset')
    expect(value('METRICS_TOKEN')).toBe('unset')
  })
})

describe('proxyVerdicts', () => {
  const direct: RequestFacts = { protocol: 'http', secure: false, ip: '127.0.0.1', remoteAddress: '127.0.0.1', host: 'localhost:3000' }
  const local = { trustProxy: false, appOrigin: 'http://localhost:3000', cookieSecure: false }
  const behindProxy = { trustProxy: true, appOrigin: 'https://vault.example.test', cookieSecure: true }
  const warnings = (v: ReturnType<typeof proxyVerdicts>) => v.filter((x) => x.level === 'warn').map((x) => x.text)

  it('is all OK for a direct request to a plain-HTTP setup', () => {
    const v = proxyVerdicts(local, direct)
    expect(warnings(v)).toEqual([])
    expect(v.length).toBeGreaterThan(0)
  })

  it('is all OK for a request through a trusted TLS proxy', () => {
    expect(warnings(proxyVerdicts(behindProxy, throughProxy))).toEqual([])
  })

  it('TRUST_PROXY off but forwarded headers arrived: set TRUST_PROXY=true', () => {
    const w = warnings(proxyVerdicts(local, { ...direct, forwardedFor: '198.51.100.1', forwardedProto: 'http' }))
    expect(w).toHaveLength(1)
    expect(w[0]).toMatch(/^TRUST_PROXY is off but this request carried X-Forwarded-For, X-Forwarded-Proto: the app sees the proxy's address/)
    expect(w[0]).toContain('Set TRUST_PROXY=true')
  })

  it('TRUST_PROXY on but no forwarded header: anyone reaching the app directly can forge them', () => {
    const w = warnings(proxyVerdicts({ ...local, trustProxy: true }, direct))
    expect(w).toHaveLength(1)
    expect(w[0]).toMatch(/^TRUST_PROXY is on but no X-Forwarded-\* header arrived/)
    expect(w[0]).toContain('anyone reaching the app directly can forge them')
  })

  it('TRUST_PROXY on and a client-extended X-Forwarded-For: the first address is the client\'s choice', () => {
    const w = warnings(proxyVerdicts(behindProxy, { ...throughProxy, forwardedFor: `1.2.3.4, ${REQUESTER_IP}` }))
    expect(w).toHaveLength(1)
    expect(w[0]).toContain('X-Forwarded-For holds several addresses')
  })

  it('APP_ORIGIN https but the request arrived as http (the proxy sends no X-Forwarded-Proto: https)', () => {
    const w = warnings(proxyVerdicts(behindProxy, { ...throughProxy, protocol: 'http', secure: false, forwardedProto: undefined }))
    expect(w).toEqual(['APP_ORIGIN is https but the request arrived as http: the proxy does not send X-Forwarded-Proto: https.'])
  })

  it('APP_ORIGIN https, TRUST_PROXY off and a direct http request: both named', () => {
    const w = warnings(proxyVerdicts({ trustProxy: false, appOrigin: 'https://vault.example.test', cookieSecure: false }, { ...direct, host: 'vault.example.test' }))
    expect(w).toEqual([
      'APP_ORIGIN is https but the request arrived as http: behind a proxy that terminates TLS, set TRUST_PROXY=true and make it send X-Forwarded-Proto: https.',
      'COOKIE_SECURE is off with an https APP_ORIGIN: the session cookie would also travel over plain http.',
    ])
  })

  it('APP_ORIGIN http but the request arrived as https', () => {
    const w = warnings(proxyVerdicts({ trustProxy: true, appOrigin: 'http://vault.example.test', cookieSecure: false }, throughProxy))
    expect(w).toHaveLength(1)
    expect(w[0]).toMatch(/^APP_ORIGIN is http but the request arrived as https/)
  })

  it('a request addressed to another host than APP_ORIGIN', () => {
    const w = warnings(proxyVerdicts(behindProxy, { ...throughProxy, host: 'other.example.test', forwardedHost: 'other.example.test' }))
    expect(w).toEqual([
      'This request was addressed to other.example.test but APP_ORIGIN is https://vault.example.test: links in mail point there, and in production forms posted from another address are refused.',
    ])
  })
})

describe('report', () => {
  it('holds versions, round trips, migrations, processes and clock from the real stores, and no secret of the configuration', async () => {
    const diagnostics = createDiagnostics({ config: secretConfig(), sequelize, kv })
    await diagnostics.heartbeat()
    const report = await diagnostics.report(throughProxy)

    expect(report.app.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(report.app.node).toBe(process.version)
    expect(report.postgres).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+/), roundTripMs: expect.any(Number) })
    expect(report.redis).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/), roundTripMs: expect.any(Number) })
    // The suite's database is fully migrated, by these very files.
    expect(report.migrations).toMatchObject({ ok: true, pending: [], unknown: [] })
    if (report.migrations.ok) expect(report.migrations.applied).toBeGreaterThanOrEqual(14)
    if (report.clock.ok) expect(Math.abs(report.clock.skewMs)).toBeLessThan(1000)
    else expect.fail(`clock: ${report.clock.error}`)
    expect(report.processes).toMatchObject({ ok: true, windowSeconds: 90, seen: [{ host: os.hostname(), pid: process.pid, current: true }] })
    expect(report.proxy.verdicts.filter((v) => v.level === 'warn')).toEqual([])

    const text = supportText(report)
    expectNoSecret(text)
    expectNoSecret(JSON.stringify(report))
    // The support text names the request's headers, never the addresses in them.
    expect(text).not.toContain(REQUESTER_IP)
    expect(text).not.toContain(PROXY_IP)
    expect(text).toContain('X-Forwarded-For present')
    expect(text).toContain('SESSION_SECRETS=set (masked), 2 keys')
    expect(text).toContain('Processes: 1 seen in the last 90 s')
  })

  it('holds no secret of the running configuration (the suite\'s own environment)', async () => {
    const config = loadConfig()
    const report = await createDiagnostics({ config, sequelize, kv }).report(throughProxy)
    const text = supportText(report)
    const running = [...config.sessionSecrets, config.metricsToken]
    for (const url of [config.databaseUrl, config.redisUrl, config.smtpUrl]) {
      if (url) running.push(new URL(url).password)
    }
    for (const secret of running.filter((s): s is string => !!s)) {
      expect(text).not.toContain(secret)
      expect(JSON.stringify(report)).not.toContain(secret)
    }
    expect(config.sessionSecrets.length).toBeGreaterThan(0)
  })

  it('lists the other processes that announced themselves lately, and forgets those that stopped', async () => {
    const other = JSON.stringify({ host: 'replica-b', pid: 4242, startedAt: '2026-12-06T10:00:00.000Z', version: '0.1.0' })
    await kv.set('proc:replica-b:4242', other, 90_000)
    await kv.sAdd('procs', 'replica-b:4242', 120_000)
    await kv.sAdd('procs', 'stopped-c:7', 120_000) // its own key expired
    const report = await createDiagnostics({ config: secretConfig(), sequelize, kv }).report(throughProxy)
    if (!report.processes.ok) return expect.fail(report.processes.error)
    expect(report.processes.seen.map((p) => `${p.host}:${p.pid}:${p.current}`).sort()).toEqual(
      [`${os.hostname()}:${process.pid}:true`, 'replica-b:4242:false'].sort(),
    )
    expect(await kv.sMembers('procs')).not.toContain('stopped-c:7')
  })

  it('each heartbeat also forgets the processes that stopped, so their names do not pile up unread', async () => {
    await kv.sAdd('procs', 'stopped-d:8', 120_000)
    await createDiagnostics({ config: secretConfig(), sequelize, kv }).heartbeat()
    const members = await kv.sMembers('procs')
    expect(members).toContain(`${os.hostname()}:${process.pid}`)
    expect(members).not.toContain('stopped-d:8')
  })

  it('says "in-memory (development)" without Redis and lists this process alone', async () => {
    const memory = createMemoryKv()
    try {
      const diagnostics = createDiagnostics({ config: loadConfig({ NODE_ENV: 'test' }), sequelize, kv: memory })
      await diagnostics.heartbeat()
      const report = await diagnostics.report({ protocol: 'http', secure: false, ip: '127.0.0.1', remoteAddress: '127.0.0.1', host: 'localhost:3000' })
      expect(report.redis).toEqual({ ok: true, version: IN_MEMORY_STORE, roundTripMs: null })
      expect(report.processes).toMatchObject({ ok: true, seen: [{ pid: process.pid, current: true }] })
      expect(supportText(report)).toContain(`Redis: ${IN_MEMORY_STORE}`)
    } finally {
      await memory.close()
    }
  })

  it('reports a database it cannot reach instead of failing, the user name masked in the driver\'s message', async () => {
    // The suite's server, as a user that does not exist: PostgreSQL's refusal names that user.
    const url = new URL(databaseUrl)
    url.username = SECRETS.dbUser
    url.password = SECRETS.dbPassword
    const config = secretConfig({ DATABASE_URL: url.toString() })
    const broken = createSequelize(url.toString(), { poolMax: 1 })
    try {
      const report = await createDiagnostics({ config, sequelize: broken, kv }).report(throughProxy)
      expect(report.postgres.ok).toBe(false)
      expect(report.migrations.ok).toBe(false)
      expect(report.clock.ok).toBe(false)
      if (!report.postgres.ok) expect(report.postgres.error).toContain('***')
      expect(supportText(report)).toMatch(/^PostgreSQL: unavailable \(.+\)$/m)
      expectNoSecret(supportText(report))
      expectNoSecret(JSON.stringify(report))
    } finally {
      await broken.close()
    }
  })
})
