import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createLogger } from './logger.js'
import { deriveKeys, resolveSessionSecrets } from './secrets.js'

const log = createLogger('silent')

describe('session secrets', () => {
  it('uses the configured secrets as they are', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nid-secret-'))
    expect(resolveSessionSecrets(['a'.repeat(40)], dir, log)).toEqual(['a'.repeat(40)])
  })

  it('generates a random secret on first start, private to the owner, and reuses it on restart', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nid-secret-'))
    const first = resolveSessionSecrets([], dir, log)
    expect(first[0]).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const file = path.join(dir, 'session-secret')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toBe(first[0])
    expect(resolveSessionSecrets([], dir, log)).toEqual(first)
    // Another machine (another data directory) gets another secret.
    expect(resolveSessionSecrets([], mkdtempSync(path.join(os.tmpdir(), 'nid-secret-')), log)).not.toEqual(first)
  })

  it('derives a separate key per purpose and per secret, never the secret itself', () => {
    const secrets = ['s'.repeat(40), 't'.repeat(40)]
    const cookie = deriveKeys(secrets, 'cookie-signing')
    const csrf = deriveKeys(secrets, 'csrf')
    const verify = deriveKeys(secrets, 'email-verification')
    expect(cookie).toHaveLength(2)
    const all = [...cookie, ...csrf, ...verify].map((k) => k.toString('hex'))
    expect(new Set(all).size).toBe(6)
    for (const k of [...cookie, ...csrf, ...verify]) {
      expect(k).toHaveLength(32)
      expect(k.toString('utf8')).not.toContain('s'.repeat(8))
    }
    // Deterministic: every process and replica derives the same keys.
    expect(deriveKeys(secrets, 'csrf')).toEqual(csrf)
  })
})
