import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.server.js'

const strong = 'x'.repeat(40)
const production = {
  NODE_ENV: 'production',
  SESSION_SECRETS: strong,
  REDIS_URL: 'redis://127.0.0.1:6379',
  APP_ORIGIN: 'https://vault.example.com',
  TRUST_PROXY: 'true',
  DATABASE_URL: 'postgres://u:p@db:5432/nid',
  SMTP_URL: 'smtp://mail.example.com:587',
}

describe('configuration', () => {
  it('has working defaults for development: embedded database, memory store, local origin', () => {
    const c = loadConfig({})
    expect(c.production).toBe(false)
    expect(c.port).toBe(3000)
    expect(c.appOrigin).toBe('http://localhost:3000')
    expect(c.databaseUrl).toBeUndefined()
    expect(c.redisUrl).toBeUndefined()
    expect(c.kdf).toEqual({ logN: 17, r: 8, p: 1 })
    expect(c.cookieSecure).toBe(false)
    // Nothing listens beyond this machine unless HOST says so; no secret is built in.
    expect(c.host).toBe('127.0.0.1')
    expect(c.sessionSecrets).toEqual([])
  })

  it('takes Secure cookies from the scheme of APP_ORIGIN unless COOKIE_SECURE says otherwise', () => {
    expect(loadConfig({ APP_ORIGIN: 'https://vault.example.com', TRUST_PROXY: 'true' }).cookieSecure).toBe(true)
    expect(loadConfig({ APP_ORIGIN: 'http://vault.lan:3000' }).cookieSecure).toBe(false)
    expect(loadConfig({ APP_ORIGIN: 'https://vault.example.com', COOKIE_SECURE: 'false' }).cookieSecure).toBe(false)
  })

  it('refuses Secure cookies without TRUST_PROXY, in any mode: this server speaks plain HTTP, only a trusted proxy makes a request secure', () => {
    for (const env of [{ COOKIE_SECURE: 'true' }, { APP_ORIGIN: 'https://vault.example.com' }, { ...production, TRUST_PROXY: '' }]) {
      expect(() => loadConfig(env)).toThrow(/COOKIE_SECURE=true \(the default with an https APP_ORIGIN\) needs TRUST_PROXY=true/)
    }
    expect(loadConfig({ COOKIE_SECURE: 'true', TRUST_PROXY: 'true' }).cookieSecure).toBe(true)
    expect(loadConfig({ APP_ORIGIN: 'https://vault.example.com', COOKIE_SECURE: 'false' }).cookieSecure).toBe(false)
  })

  it('accepts a complete production configuration with secure cookies on', () => {
    const c = loadConfig(production)
    expect(c.production).toBe(true)
    expect(c.cookieSecure).toBe(true)
    expect(c.sessionSecrets).toEqual([strong])
  })

  it.each([
    ['SESSION_SECRETS', { SESSION_SECRETS: '' }, /SESSION_SECRETS is required/],
    ['a short secret', { SESSION_SECRETS: 'short' }, /at least 32 characters/],
    ['the memory store', { REDIS_URL: '' }, /REDIS_URL is required in production/],
    ['a low KDF cost', { KDF_LOG_N: '14' }, /KDF_LOG_N below 17/],
    ['no public origin', { APP_ORIGIN: '' }, /APP_ORIGIN is required/],
    ['insecure cookies on an https origin', { COOKIE_SECURE: 'false' }, /COOKIE_SECURE=false with an https APP_ORIGIN/],
    ['no SMTP_URL without the mail-directory opt-in', { SMTP_URL: '' }, /SMTP_URL is required in production/],
  ])('refuses %s in production, saying why', (_what, change, message) => {
    expect(() => loadConfig({ ...production, ...change })).toThrow(message)
  })

  it('lets `npm start` run the production build with the local defaults (LOCAL_START), and only then', () => {
    const local = loadConfig({ NODE_ENV: 'production', LOCAL_START: 'true' })
    expect(local.production).toBe(false)
    expect(local.env).toBe('production')
    expect(local.logMailLinks).toBe(true)
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRETS is required/)
  })

  it('accepts mail written to files in production only when asked to explicitly', () => {
    expect(loadConfig({ ...production, SMTP_URL: '', MAIL_TO_DIRECTORY: 'true' }).logMailLinks).toBe(false)
  })

  it('refuses several workers without Redis, and malformed values with the variable named', () => {
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(/WEB_CONCURRENCY > 1 needs REDIS_URL/)
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/)
    expect(() => loadConfig({ KDF_LOG_N: '30' })).toThrow(/KDF_LOG_N/)
  })
})
