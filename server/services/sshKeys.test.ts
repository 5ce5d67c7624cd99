import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkSshKey, generateSshKey, INVALID_PRIVATE_KEY, INVALID_PUBLIC_KEY, KEYS_DIFFER, publicKeyBlob } from './sshKeys.js'

/** The fingerprint as OpenSSH computes it, from the raw Ed25519 public key node:crypto holds. */
function ed25519Fingerprint(raw: Buffer) {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b])
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)])
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

describe('SSH keys (issue 23)', () => {
  it('generates an Ed25519 pair whose fingerprint node:crypto confirms', () => {
    const pair = generateSshKey('me@laptop')
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n$/)
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=* me@laptop$/)
    const raw = publicKeyBlob(pair.publicKey)!.subarray(-32)
    expect(pair.fingerprint).toBe(ed25519Fingerprint(raw))
    // The private key carries the same public key: the check derives it back.
    expect(checkSshKey(pair.privateKey, '')).toEqual({ errors: {}, publicKey: pair.publicKey.replace(/ me@laptop$/, ''), fingerprint: pair.fingerprint })
    expect(generateSshKey().privateKey).not.toBe(pair.privateKey)
  })

  it('reads PEM keys (PKCS#8 Ed25519, RSA, EC) and fingerprints them as OpenSSH does', () => {
    const ed = generateKeyPairSync('ed25519')
    const raw = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x!, 'base64url')
    expect(checkSshKey(ed.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, '').fingerprint).toBe(ed25519Fingerprint(raw))
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const r = checkSshKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string, '')
    expect(r.errors).toEqual({})
    expect(r.publicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E/)
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(checkSshKey(ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string, '').publicKey).toMatch(/^ecdsa-sha2-nistp256 /)
    expect(createPublicKey(rsa.privateKey).asymmetricKeyType).toBe('rsa')
  })

  it('refuses what is not a key, a truncated key, and a public key of another pair', () => {
    expect(checkSshKey('hello', '').errors).toEqual({ private_key: INVALID_PRIVATE_KEY })
    const pair = generateSshKey()
    const truncated = pair.privateKey.split('\n').filter((_, i) => i !== 2).join('\n')
    expect(checkSshKey(truncated, '').errors.private_key).toBe(INVALID_PRIVATE_KEY)
    expect(checkSshKey('', 'ssh-ed25519 AAAA!!').errors).toEqual({ public_key: INVALID_PUBLIC_KEY })
    expect(checkSshKey('', 'ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIK5kkH3N9q4DIYzRxd/0YWSnOlm0ej+ZW6l6O5QnNY00').errors).toEqual({ public_key: INVALID_PUBLIC_KEY })
    expect(checkSshKey(pair.privateKey, generateSshKey().publicKey).errors).toEqual({ public_key: KEYS_DIFFER })
    expect(checkSshKey('', '')).toEqual({ errors: {}, publicKey: '', fingerprint: '' })
  })
})
