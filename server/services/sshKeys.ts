// SSH keys (issue 23, ADR 035): a new Ed25519 pair made with node:crypto, and the checks and
// fingerprint of a key the user pastes. The fingerprint is OpenSSH's: "SHA256:" and the unpadded
// base64 of the SHA-256 of the public key blob (RFC 4253 wire format), as `ssh-keygen -l` prints.
// Private keys are read in OpenSSH's own format (openssh-key-v1, encrypted or not: its public key
// is in the clear) and in the PEM formats node:crypto reads (PKCS#8, PKCS#1, SEC1).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'

const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----'
const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----'
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1')

export const INVALID_PRIVATE_KEY = 'This is not a private key we can read: paste the whole key, from “-----BEGIN” to “-----END … PRIVATE KEY-----”.'
export const INVALID_PUBLIC_KEY = 'This is not an SSH public key: it starts with its type, such as “ssh-ed25519 AAAA…”.'
export const KEYS_DIFFER = 'This public key does not belong to the private key above.'

function sshString(bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes
  const len = Buffer.alloc(4)
  len.writeUInt32BE(b.length)
  return Buffer.concat([len, b])
}
/** An SSH mpint: big-endian, with a leading zero when the top bit is set. */
const mpint = (b: Buffer) => sshString(b.length > 0 && b[0]! & 0x80 ? Buffer.concat([Buffer.alloc(1), b]) : b)

/** Reads SSH wire strings one after the other; null past the end. */
function reader(buf: Buffer) {
  let at = 0
  return {
    string(): Buffer | null {
      if (at + 4 > buf.length) return null
      const len = buf.readUInt32BE(at)
      if (at + 4 + len > buf.length) return null
      const out = buf.subarray(at + 4, at + 4 + len)
      at += 4 + len
      return out
    },
    uint32(): number | null {
      if (at + 4 > buf.length) return null
      const v = buf.readUInt32BE(at)
      at += 4
      return v
    },
  }
}

export const fingerprint = (blob: Buffer) => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`

/** The public key blob of a key node:crypto holds (Ed25519, RSA, ECDSA P-256/384/521), or null for another kind. */
function blobOf(key: KeyObject): Buffer | null {
  const jwk = key.export({ format: 'jwk' })
  const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64url')
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return Buffer.concat([sshString('ssh-ed25519'), sshString(b64(jwk.x))])
  if (jwk.kty === 'RSA') return Buffer.concat([sshString('ssh-rsa'), mpint(b64(jwk.e)), mpint(b64(jwk.n))])
  if (jwk.kty === 'EC') {
    const curve = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' }[jwk.crv ?? '']
    if (!curve) return null
    const point = Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)])
    return Buffer.concat([sshString(`ecdsa-sha2-${curve}`), sshString(curve), sshString(point)])
  }
  return null
}

/** The public key blob inside an OpenSSH private key file, or null when it is not one. */
function opensshPublicBlob(text: string): Buffer | null {
  const begin = text.indexOf(OPENSSH_BEGIN)
  const end = text.indexOf(OPENSSH_END)
  if (begin === -1 || end <= begin) return null
  const body = text.slice(begin + OPENSSH_BEGIN.length, end).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) return null
  const raw = Buffer.from(body, 'base64')
  if (!raw.subarray(0, MAGIC.length).equals(MAGIC)) return null
  const r = reader(raw.subarray(MAGIC.length))
  const cipher = r.string()
  const kdf = r.string()
  const kdfOptions = r.string()
  const count = r.uint32()
  const blob = r.string()
  if (!cipher || !kdf || !kdfOptions || count !== 1 || !blob || !r.string()) return null
  return validBlob(blob) ? blob : null
}

/** A blob whose first string names a key type, with more after it. */
function validBlob(blob: Buffer): boolean {
  const r = reader(blob)
  const type = r.string()
  return type !== null && /^[a-z0-9@.-]{3,64}$/.test(type.toString('latin1')) && r.string() !== null
}

/** The public key blob of a pasted private key (OpenSSH or PEM), or null when it does not read as one. */
export function privateKeyBlob(text: string): Buffer | null {
  const trimmed = text.trim()
  if (trimmed.includes(OPENSSH_BEGIN)) return opensshPublicBlob(trimmed)
  if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed) || /ENCRYPTED/.test(trimmed)) return null
  try {
    return blobOf(createPublicKey(createPrivateKey(trimmed)))
  } catch {
    return null
  }
}

/** The blob of a public key line ("ssh-ed25519 AAAA… comment"), or null. */
export function publicKeyBlob(line: string): Buffer | null {
  const m = /^([a-z0-9@.-]{3,64})\s+([A-Za-z0-9+/]+={0,2})(\s.*)?$/.exec(line.trim())
  if (!m) return null
  const blob = Buffer.from(m[2]!, 'base64')
  const r = reader(blob)
  return r.string()?.toString('latin1') === m[1] && validBlob(blob) ? blob : null
}

/** "ssh-ed25519 AAAA…" from a blob (no comment). */
export const publicKeyLine = (blob: Buffer) => `${reader(blob).string()!.toString('latin1')} ${blob.toString('base64')}`

/**
 * Checks a pasted pair and computes its fingerprint: errors by form field (`private_key`,
 * `public_key`), the public key (filled in from the private one when left empty) and the fingerprint.
 */
export function checkSshKey(privateKey: string, publicKey: string): { errors: Record<string, string>; publicKey: string; fingerprint: string } {
  const errors: Record<string, string> = {}
  const priv = privateKey.trim() === '' ? null : privateKeyBlob(privateKey)
  if (privateKey.trim() !== '' && !priv) errors.private_key = INVALID_PRIVATE_KEY
  const pub = publicKey.trim() === '' ? null : publicKeyBlob(publicKey)
  if (publicKey.trim() !== '' && !pub) errors.public_key = INVALID_PUBLIC_KEY
  if (priv && pub && !priv.equals(pub)) errors.public_key = KEYS_DIFFER
  const blob = pub ?? priv
  return { errors, publicKey: publicKey.trim() === '' && priv ? publicKeyLine(priv) : publicKey.trim(), fingerprint: blob ? fingerprint(blob) : '' }
}

/** A new Ed25519 key pair: the private key in OpenSSH's format (what ssh-keygen writes), the public key line, its fingerprint. */
export function generateSshKey(comment = ''): { privateKey: string; publicKey: string; fingerprint: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url')
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)])
  const check = randomBytes(4)
  let secret = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)])
  const pad = (8 - (secret.length % 8)) % 8
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))])
  const file = Buffer.concat([MAGIC, sshString('none'), sshString('none'), sshString(''), Buffer.from([0, 0, 0, 1]), sshString(blob), sshString(secret)])
  const lines = file.toString('base64').match(/.{1,70}/g)!
  return {
    privateKey: `${OPENSSH_BEGIN}\n${lines.join('\n')}\n${OPENSSH_END}\n`,
    publicKey: publicKeyLine(blob) + (comment ? ` ${comment}` : ''),
    fingerprint: fingerprint(blob),
  }
}
