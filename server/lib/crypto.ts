/**
 * NucleusID cryptography (SPEC section 5). Every primitive comes from node:crypto;
 * this module only fixes the parameters, formats and associated data so that the
 * rest of the server cannot get them subtly wrong.
 *
 * Formats (all values start with CRYPTO_VERSION so the algorithms can change later):
 *   seal / encryptJson:  [version 1][nonce 12][ciphertext][tag 16]
 *   sealToPublicKey:     [version 1][ephemeral X25519 public key 32][nonce 12][ciphertext][tag 16]
 * The header (version, and the ephemeral key) is authenticated as part of the AAD,
 * so it cannot be swapped without the tag failing.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto'

export const CRYPTO_VERSION = 1

/**
 * Thrown by every open/unwrap/decrypt function whatever went wrong (tampering, wrong
 * key, wrong AAD, unknown version, truncated input). One error type on purpose: callers
 * should not (and cannot) tell those cases apart, and neither should an attacker.
 */
export class DecryptionError extends Error {
  constructor(message = 'decryption failed') {
    super(message)
    this.name = 'DecryptionError'
  }
}

// ---------------------------------------------------------------------------
// Master password -> authKey + wrapKey (scrypt)
// ---------------------------------------------------------------------------

export interface KdfParams {
  logN: number
  r: number
  p: number
}

/** SPEC: N=2^17, r=8, p=1. Stored per user so they can be raised later. */
export const DEFAULT_KDF: KdfParams = Object.freeze({ logN: 17, r: 8, p: 1 })

const SALT_BYTES = 16
const KEY_BYTES = 32
const NONCE_BYTES = 12 // 96-bit nonce: the GCM size that needs no extra GHASH step
const TAG_BYTES = 16 // full-length tag; shorter tags weaken GCM's authentication
const X25519_RAW_BYTES = 32

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES)
}

/**
 * Parameters come from the database, so check them: a corrupted or hostile row must not
 * make a login allocate gigabytes or spin forever. The bounds leave room to raise the
 * defaults (logN 20 with r 8 is 1 GiB).
 */
function checkKdfParams({ logN, r, p }: KdfParams): void {
  const ok =
    Number.isInteger(logN) && logN >= 1 && logN <= 20 &&
    Number.isInteger(r) && r >= 1 && r <= 32 &&
    Number.isInteger(p) && p >= 1 && p <= 16
  if (!ok) throw new RangeError(`invalid KDF parameters: ${JSON.stringify({ logN, r, p })}`)
}

/**
 * scrypt(NFKC(password)) -> 64 bytes: the first half proves the password to the server
 * (stored only hashed), the second half wraps the vault key. Splitting one output keeps
 * the two independent (an authKey leak says nothing about wrapKey).
 *
 * Async on purpose: scrypt runs on libuv's thread pool and scryptSync would block the
 * event loop for ~0.3 s per login.
 */
export async function deriveMasterKeys(
  password: string,
  salt: Buffer,
  params: KdfParams,
): Promise<{ authKey: Buffer; wrapKey: Buffer }> {
  checkKdfParams(params) // async function: bad params reject instead of throwing synchronously
  const N = 2 ** params.logN
  // NFKC so that the same password typed on different keyboards/OSes (composed vs
  // decomposed accents, full-width digits) derives the same keys.
  const input = Buffer.from(password.normalize('NFKC'), 'utf8')
  // OpenSSL needs 128*r*(N+2+p) bytes; node's default maxmem (32 MiB) is below the
  // 128 MiB the defaults need, so allow twice the main term (STACK-NOTES). The 32 MiB
  // floor keeps tiny test values of N (where p dominates) from being refused.
  const maxmem = Math.max(128 * N * params.r * 2, 32 * 1024 * 1024)
  return new Promise((resolve, reject) => {
    scrypt(input, salt, 2 * KEY_BYTES, { N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err) return reject(err)
      // Copies, not views: whoever keeps authKey must not also keep wrapKey's memory alive.
      resolve({ authKey: Buffer.from(key.subarray(0, KEY_BYTES)), wrapKey: Buffer.from(key.subarray(KEY_BYTES)) })
    })
  })
}

export function hashAuthKey(authKey: Buffer): Buffer {
  return createHash('sha256').update(authKey).digest()
}

/** Constant-time comparison; timingSafeEqual throws on unequal lengths, so check first. */
export function verifyAuthKey(authKey: Buffer, storedHash: Buffer): boolean {
  const actual = hashAuthKey(authKey)
  if (storedHash.length !== actual.length) return false
  return timingSafeEqual(actual, storedHash)
}

export function randomKey(): Buffer {
  return randomBytes(KEY_BYTES)
}

// ---------------------------------------------------------------------------
// AES-256-GCM
// ---------------------------------------------------------------------------

function checkKey(key: Buffer): void {
  // A wrong-length key is a programming error, not a decryption failure: fail loudly.
  if (key.length !== KEY_BYTES) throw new RangeError(`key must be ${KEY_BYTES} bytes`)
}

/** Encrypts under `key` and returns header||nonce||ct||tag, authenticating header||aad. */
function gcmSeal(key: Buffer, header: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  checkKey(key)
  // A fresh random 96-bit nonce per message: keys are random and each encrypts far fewer
  // than 2^32 messages, so random nonces stay well inside GCM's collision bound.
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.concat([header, aad]))
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([header, nonce, ct, cipher.getAuthTag()])
}

/** Inverse of gcmSeal for a header of `headerLength` bytes (already checked by the caller). */
function gcmOpen(key: Buffer, headerLength: number, sealed: Buffer, aad: Buffer): Buffer {
  checkKey(key)
  if (sealed.length < headerLength + NONCE_BYTES + TAG_BYTES) throw new DecryptionError()
  const header = sealed.subarray(0, headerLength)
  const nonce = sealed.subarray(headerLength, headerLength + NONCE_BYTES)
  const ct = sealed.subarray(headerLength + NONCE_BYTES, sealed.length - TAG_BYTES)
  const tag = sealed.subarray(sealed.length - TAG_BYTES)
  try {
    // authTagLength pins the tag size so a truncated tag cannot be accepted.
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.concat([header, aad]))
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(ct), decipher.final()])
  } catch {
    // final() throws on a bad tag; the cause (key, AAD, bit flip) is deliberately hidden.
    throw new DecryptionError()
  }
}

const VERSION_HEADER = Buffer.from([CRYPTO_VERSION])
const EMPTY = Buffer.alloc(0)

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer = EMPTY): Buffer {
  return gcmSeal(key, VERSION_HEADER, plaintext, aad)
}

export function open(key: Buffer, sealed: Buffer, aad: Buffer = EMPTY): Buffer {
  if (sealed.length < 1 || sealed[0] !== CRYPTO_VERSION) throw new DecryptionError()
  return gcmOpen(key, 1, sealed, aad)
}

export function encryptJson(key: Buffer, value: unknown, aad: Buffer): Buffer {
  const json = JSON.stringify(value)
  // JSON.stringify(undefined / a function) returns undefined: refuse rather than store junk.
  if (json === undefined) throw new TypeError('value is not JSON-serializable')
  return seal(key, Buffer.from(json, 'utf8'), aad)
}

export function decryptJson<T>(key: Buffer, sealed: Buffer, aad: Buffer): T {
  const plaintext = open(key, sealed, aad)
  try {
    return JSON.parse(plaintext.toString('utf8')) as T
  } catch {
    throw new DecryptionError()
  }
}

// ---------------------------------------------------------------------------
// Associated data: binds a ciphertext to where it is stored
// ---------------------------------------------------------------------------

/**
 * Label plus length-prefixed UTF-8 fields: unambiguous whatever characters the ids hold
 * (('a','bc') and ('ab','c') encode differently), and the label keeps an item AAD from
 * ever equalling a folder-key AAD.
 */
function bindingAad(label: string, ...fields: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(label, 'utf8')]
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8')
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    parts.push(length, bytes)
  }
  return Buffer.concat(parts)
}

/** An item ciphertext copied to another row or folder then fails to decrypt. */
export function itemAad(itemId: string, folderId: string): Buffer {
  return bindingAad('nucleusid:item:v1', itemId, folderId)
}

/** An earlier version of an item (issue 21): bound to its version row, its item and the folder whose key holds it. */
export function itemVersionAad(versionId: string, itemId: string, folderId: string): Buffer {
  return bindingAad('nucleusid:item-version:v1', versionId, itemId, folderId)
}

/**
 * A folder's list index (ADR 020): one ciphertext per folder under its folder key. Copied to
 * another folder's row it fails to decrypt; the label keeps it from ever opening as an item.
 */
export function folderIndexAad(folderId: string): Buffer {
  return bindingAad('nucleusid:folder-list-index:v1', folderId)
}

/**
 * The labels of the values sealed under one user's keys. They predate bindingAad and are kept
 * byte for byte: changing one would make every stored value of that kind unreadable.
 */
const LABELS = {
  vaultKeyByPassword: 'vault-key:password',
  vaultKeyByRecovery: 'vault-key:recovery',
  privateKey: 'private-key',
  sessionVaultKey: 'session:vault-key',
  sessionRecoveryCode: 'session:recovery-code',
  importResult: 'nucleusid:import-result:v1:',
} as const

/** The vault key wrapped by the password's wrapKey, or by the recovery code's key. */
export function vaultKeyAad(by: 'password' | 'recovery'): Buffer {
  return Buffer.from(by === 'password' ? LABELS.vaultKeyByPassword : LABELS.vaultKeyByRecovery)
}

/** The user's X25519 private key wrapped by their vault key. */
export function privateKeyAad(): Buffer {
  return Buffer.from(LABELS.privateKey)
}

/** What a Redis session holds sealed under the per-session key of the nid.sk cookie. */
export function sessionAad(what: 'vault-key' | 'recovery-code'): Buffer {
  return Buffer.from(what === 'vault-key' ? LABELS.sessionVaultKey : LABELS.sessionRecoveryCode)
}

/** An import's result, sealed under the importer's vault key while it waits for its page, bound to the user. */
export function importResultAad(userId: string): Buffer {
  return Buffer.from(LABELS.importResult + userId)
}

/**
 * A user's TOTP secret sealed under their vault key, bound to the user: a sealed secret copied to
 * another user's row fails to open even if their vault keys were equal.
 */
export function totpSecretAad(userId: string): Buffer {
  return bindingAad('nucleusid:totp-secret:v1', userId)
}

/** A member's sealed folder key cannot be replayed for another folder or member. */
export function folderKeyAad(folderId: string, userId: string): Buffer {
  return bindingAad('nucleusid:folder-key:v1', folderId, userId)
}

/**
 * An activity event's details sealed to one reader (issue 25): bound to that reader and the event's
 * kind, so a row copied to another user's log, or relabelled (a failed sign-in shown as a success),
 * fails to open.
 */
export function activityAad(readerId: string, kind: string): Buffer {
  return bindingAad('nucleusid:activity:v1', readerId, kind)
}

/**
 * Who left a shared folder (issue 25's exposure report), sealed to the folder's owner: bound to the
 * report, its owner and folder, so a sealed name copied to another report or owner fails to open.
 */
export function exposureMemberAad(reportId: string, ownerId: string, folderId: string): Buffer {
  return bindingAad('nucleusid:exposure-member:v1', reportId, ownerId, folderId)
}

// ---------------------------------------------------------------------------
// Recovery codes
// ---------------------------------------------------------------------------

// Crockford base32: no I, L, O, U, so a code read aloud or copied by hand is unambiguous.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const RECOVERY_SYMBOLS = 28 // 28 x 5 bits = 140 bits
const RECOVERY_GROUP = 4

function groupCode(symbols: string): string {
  const groups: string[] = []
  for (let i = 0; i < symbols.length; i += RECOVERY_GROUP) groups.push(symbols.slice(i, i + RECOVERY_GROUP))
  return groups.join('-')
}

export function generateRecoveryCode(): string {
  // 256 is a multiple of 32, so the low 5 bits of a uniform byte are uniform: no bias.
  const bytes = randomBytes(RECOVERY_SYMBOLS)
  let symbols = ''
  for (const byte of bytes) symbols += CROCKFORD[byte & 31]
  return groupCode(symbols)
}

/**
 * Accepts what a user might type (lowercase, spaces, missing or extra hyphens, O for 0,
 * I/L for 1) and returns the canonical grouped form, or '' if it cannot be a code.
 */
export function normalizeRecoveryCode(input: string): string {
  const symbols = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
  if (symbols.length !== RECOVERY_SYMBOLS) return ''
  for (const c of symbols) if (!CROCKFORD.includes(c)) return ''
  return groupCode(symbols)
}

/**
 * The recovery code already carries 140 random bits, so a slow KDF adds nothing: HKDF
 * is enough. The IKM is the canonical (normalized, grouped) code, so however the user
 * types it the key is the same. An invalid code throws DecryptionError, so callers treat
 * a mistyped code exactly like a wrong one.
 */
export function deriveRecoveryKey(code: string, salt: Buffer): Buffer {
  const normalized = normalizeRecoveryCode(code)
  if (normalized === '') throw new DecryptionError('invalid recovery code')
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(normalized, 'utf8'), salt, 'nucleusid/recovery-wrap/v1', KEY_BYTES),
  )
}

// ---------------------------------------------------------------------------
// X25519 sealed boxes (folder keys sealed to each member)
// ---------------------------------------------------------------------------

export function generateUserKeyPair(): { publicKey: Buffer; privateKey: Buffer } {
  return generateKeyPairSync('x25519', {
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  })
}

function rawPublic(key: KeyObject): Buffer {
  // node has no 'raw' export for X25519 in Node 20; the JWK 'x' member is the raw 32 bytes.
  const x = key.export({ format: 'jwk' }).x
  if (typeof x !== 'string') throw new TypeError('not an X25519 key')
  return Buffer.from(x, 'base64url')
}

function x25519PublicFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' })
}

function assertX25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'x25519') throw new TypeError('expected an X25519 key')
  return key
}

/**
 * Both public keys go into the HKDF salt so the derived key is bound to this exact
 * sender/recipient pair (no key reuse if the same shared secret ever showed up twice).
 */
function sealKey(shared: Buffer, ephemeralRaw: Buffer, recipientRaw: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', shared, Buffer.concat([ephemeralRaw, recipientRaw]), 'nucleusid/seal/v1', KEY_BYTES),
  )
}

/**
 * Anyone holding a member's public key can seal to them (an owner inviting someone needs
 * no password of theirs). A fresh ephemeral key per message gives a fresh AES key, and
 * the ephemeral public key travels in the header, authenticated via the AAD.
 */
export function sealToPublicKey(publicKey: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const recipient = assertX25519(createPublicKey({ key: publicKey, format: 'der', type: 'spki' }))
  const ephemeral = generateKeyPairSync('x25519')
  const ephemeralRaw = rawPublic(ephemeral.publicKey)
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient })
  const key = sealKey(shared, ephemeralRaw, rawPublic(recipient))
  return gcmSeal(key, Buffer.concat([VERSION_HEADER, ephemeralRaw]), plaintext, aad)
}

/**
 * A parsed X25519 private key with its raw public half. Parsing PKCS8 DER costs far more than
 * the key agreement itself, so a request that opens several folder keys parses once.
 */
export interface OpenedPrivateKey {
  key: KeyObject
  publicRaw: Buffer
}

export function importPrivateKey(der: Buffer): OpenedPrivateKey {
  // The private key comes from our own unwrapping: if it is malformed that is a bug,
  // so let createPrivateKey's error through rather than disguise it as a bad ciphertext.
  const key = assertX25519(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }))
  return { key, publicRaw: rawPublic(createPublicKey(key)) }
}

/** A user's X25519 private key, unwrapped with their vault key (users.private_key_wrapped). */
export function openPrivateKey(vaultKey: Buffer, wrapped: Buffer): OpenedPrivateKey {
  return importPrivateKey(open(vaultKey, wrapped, privateKeyAad()))
}

export function openSealed(privateKey: Buffer | OpenedPrivateKey, sealed: Buffer, aad: Buffer): Buffer {
  const own = Buffer.isBuffer(privateKey) ? importPrivateKey(privateKey) : privateKey
  const headerLength = 1 + X25519_RAW_BYTES
  if (sealed.length < headerLength + NONCE_BYTES + TAG_BYTES || sealed[0] !== CRYPTO_VERSION) {
    throw new DecryptionError()
  }
  const ephemeralRaw = sealed.subarray(1, headerLength)
  let key: Buffer
  try {
    // OpenSSL rejects low-order points (all-zero shared secret); that too is a bad input.
    const shared = diffieHellman({ privateKey: own.key, publicKey: x25519PublicFromRaw(ephemeralRaw) })
    key = sealKey(shared, ephemeralRaw, own.publicRaw)
  } catch {
    throw new DecryptionError()
  }
  return gcmOpen(key, headerLength, sealed, aad)
}

// ---------------------------------------------------------------------------
// Attachments (issue 23, ADR 033): a random key per file, sealed under the folder key
// ---------------------------------------------------------------------------

/**
 * A file's own key sealed under its item's folder key: bound to the attachment, its item and the
 * folder, so a wrapped key copied to another row, item or folder fails to open. A move or a folder
 * key rotation seals it again; the file itself is never re-encrypted.
 */
export function attachmentKeyAad(attachmentId: string, itemId: string, folderId: string): Buffer {
  return bindingAad('nucleusid:attachment-key:v1', attachmentId, itemId, folderId)
}

/** A file's name, sealed under the file's own key. */
export function attachmentNameAad(attachmentId: string): Buffer {
  return bindingAad('nucleusid:attachment-name:v1', attachmentId)
}

/**
 * One chunk of a file under the file's key: bound to the attachment, its index and whether it is
 * the last one, so chunks swapped, moved to another file, dropped from the end (the new last one
 * was sealed as "not last") or added after the last fail to open.
 */
export function attachmentChunkAad(attachmentId: string, seq: number, final: boolean): Buffer {
  return bindingAad('nucleusid:attachment-chunk:v1', attachmentId, String(seq), final ? 'final' : 'more')
}
