import { describe, it, expect } from 'vitest'
import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto'
import {
  CRYPTO_VERSION,
  DEFAULT_KDF,
  DecryptionError,
  type KdfParams,
  decryptJson,
  deriveMasterKeys,
  deriveRecoveryKey,
  encryptJson,
  folderKeyAad,
  generateRecoveryCode,
  generateUserKeyPair,
  hashAuthKey,
  importResultAad,
  itemAad,
  newSalt,
  normalizeRecoveryCode,
  open,
  openSealed,
  randomKey,
  seal,
  sealToPublicKey,
  verifyAuthKey,
} from './crypto.js'

// Low cost so the suite stays fast; only one test uses DEFAULT_KDF.
const FAST_KDF: KdfParams = { logN: 10, r: 8, p: 1 }
const hex = (s: string) => Buffer.from(s, 'hex')

/** Returns a copy of `buf` with one bit flipped at byte `index`. */
function flip(buf: Buffer, index: number): Buffer {
  const copy = Buffer.from(buf)
  copy[index] = copy[index]! ^ 0x01
  return copy
}

// Known-answer vectors below were computed independently with Python
// (hashlib.scrypt, a hand-written HKDF checked against RFC 5869, and the `cryptography`
// package's AESGCM and X25519), not with this module.
const ITEM_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const ITEM_VECTOR = hex(
  '01' + '000102030405060708090a0b' +
    '3c20a272b189a739b763d5eadf825a41a1a6e647830c300e5c45dfa7751c6ec664629cded25cf533bf192d3cd4' +
    'e07fb75a86b3c908',
)
// RFC 7748 section 6.1: Alice's key is the ephemeral key, Bob is the recipient.
const ALICE_PUB_RAW = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'
const BOB_PKCS8 = hex(
  '302e020100300506032b656e04220420' + '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
)
const BOB_SPKI = hex('302a300506032b656e032100' + 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
const SEALED_VECTOR = hex(
  '01' + ALICE_PUB_RAW + '0c0b0a090807060504030201' +
    '61e19330cc2085be20c5c900cc14825c8e26f3d921d3625e5f6aadf624546a10' +
    '1b47ead102b1ec69d270d20c92895c79',
)

describe('deriveMasterKeys (scrypt)', () => {
  it('matches RFC 7914 test vector 3 (password / NaCl, N=1024, r=8, p=16)', async () => {
    const { authKey, wrapKey } = await deriveMasterKeys('password', Buffer.from('NaCl'), { logN: 10, r: 8, p: 16 })
    expect(Buffer.concat([authKey, wrapKey]).toString('hex')).toBe(
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162' +
        '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    )
  })

  it('NFKC-normalizes the password (known answer from Python for "café 1")', async () => {
    const salt = Buffer.from(Array.from({ length: 16 }, (_, i) => i))
    // Decomposed e + combining acute, and a full-width digit one: NFKC gives 'café 1'.
    const decomposed = await deriveMasterKeys('cafe\u0301 \uff11', salt, FAST_KDF)
    const composed = await deriveMasterKeys('caf\u00e9 1', salt, FAST_KDF)
    expect(decomposed.authKey.toString('hex')).toBe('b2dfff902221bcaad4d8cc02b85c0172d8bee221ad9e280be0f0f07e41a60943')
    expect(decomposed.wrapKey.toString('hex')).toBe('72765ee4f37012b8a7a5a7c157e67607a2236a3c3769981b881adca7f797678e')
    expect(composed.authKey.equals(decomposed.authKey)).toBe(true)
    expect(composed.wrapKey.equals(decomposed.wrapKey)).toBe(true)
  })

  it('different salt or password gives different, independent keys', async () => {
    const salt = newSalt()
    const a = await deriveMasterKeys('hunter2', salt, FAST_KDF)
    const b = await deriveMasterKeys('hunter2', newSalt(), FAST_KDF)
    const c = await deriveMasterKeys('hunter3', salt, FAST_KDF)
    expect(a.authKey).toHaveLength(32)
    expect(a.wrapKey).toHaveLength(32)
    expect(a.authKey.equals(a.wrapKey)).toBe(false)
    expect(a.authKey.equals(b.authKey)).toBe(false)
    expect(a.authKey.equals(c.authKey)).toBe(false)
  })

  it('default parameters (N=2^17, r=8) fit within the maxmem it passes', async () => {
    expect(DEFAULT_KDF).toEqual({ logN: 17, r: 8, p: 1 })
    const { authKey, wrapKey } = await deriveMasterKeys('correct horse battery staple', newSalt(), DEFAULT_KDF)
    expect(authKey).toHaveLength(32)
    expect(wrapKey).toHaveLength(32)
  })

  it('accepts tiny test parameters (N=2, p=16)', async () => {
    const { authKey } = await deriveMasterKeys('x', newSalt(), { logN: 1, r: 8, p: 16 })
    expect(authKey).toHaveLength(32)
  })

  it('rejects absurd parameters instead of allocating them', async () => {
    await expect(deriveMasterKeys('x', newSalt(), { logN: 40, r: 8, p: 1 })).rejects.toThrow(RangeError)
    await expect(deriveMasterKeys('x', newSalt(), { logN: 10, r: 0, p: 1 })).rejects.toThrow(RangeError)
    await expect(deriveMasterKeys('x', newSalt(), { logN: 10.5, r: 8, p: 1 })).rejects.toThrow(RangeError)
  })
})

describe('authKey hash and verification', () => {
  it('hashAuthKey is SHA-256', () => {
    expect(hashAuthKey(Buffer.from('abc')).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('verifyAuthKey accepts the right key, rejects a wrong key and a wrong-length hash', () => {
    const authKey = randomKey()
    const stored = hashAuthKey(authKey)
    expect(verifyAuthKey(authKey, stored)).toBe(true)
    expect(verifyAuthKey(randomKey(), stored)).toBe(false)
    expect(verifyAuthKey(authKey, flip(stored, 31))).toBe(false)
    expect(verifyAuthKey(authKey, stored.subarray(0, 31))).toBe(false)
    expect(verifyAuthKey(authKey, Buffer.concat([stored, Buffer.alloc(1)]))).toBe(false)
    expect(verifyAuthKey(authKey, Buffer.alloc(0))).toBe(false)
  })
})

describe('seal / open (AES-256-GCM)', () => {
  it('opens a fixed vector produced by an independent implementation', () => {
    // The vector was sealed with AAD = 0x01 || itemAad(...), so this also pins the
    // version byte being authenticated and the exact itemAad encoding.
    const aad = itemAad('item-1', 'folder-1')
    expect(decryptJson(ITEM_KEY, ITEM_VECTOR, aad)).toEqual({ title: 'Bank', password: 'hunter2' })
  })

  it('round-trips, with and without AAD, including empty plaintext', () => {
    const key = randomKey()
    const aad = Buffer.from('context')
    for (const pt of [Buffer.alloc(0), Buffer.from('hello'), randomKey()]) {
      expect(open(key, seal(key, pt, aad), aad).equals(pt)).toBe(true)
      expect(open(key, seal(key, pt)).equals(pt)).toBe(true)
    }
  })

  it('has the documented layout: version, 12-byte nonce, ciphertext, 16-byte tag', () => {
    const sealed = seal(randomKey(), Buffer.from('12345'))
    expect(sealed[0]).toBe(CRYPTO_VERSION)
    expect(CRYPTO_VERSION).toBe(1)
    expect(sealed).toHaveLength(1 + 12 + 5 + 16)
  })

  it('uses a fresh nonce every time', () => {
    const key = randomKey()
    const pt = Buffer.from('same')
    const a = seal(key, pt)
    const b = seal(key, pt)
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false)
    expect(a.equals(b)).toBe(false)
  })

  it('detects a flipped bit in every region (version, nonce, ciphertext, tag)', () => {
    const key = randomKey()
    const aad = Buffer.from('aad')
    const sealed = seal(key, Buffer.from('secret payload'), aad)
    const regions = { version: 0, nonce: 5, ciphertext: 13 + 3, tag: sealed.length - 1 }
    for (const index of Object.values(regions)) {
      expect(() => open(key, flip(sealed, index), aad)).toThrow(DecryptionError)
    }
  })

  it('rejects a wrong key, wrong AAD, missing AAD and unexpected AAD', () => {
    const key = randomKey()
    const sealed = seal(key, Buffer.from('secret'), Buffer.from('a'))
    expect(() => open(randomKey(), sealed, Buffer.from('a'))).toThrow(DecryptionError)
    expect(() => open(key, sealed, Buffer.from('b'))).toThrow(DecryptionError)
    expect(() => open(key, sealed)).toThrow(DecryptionError)
    expect(() => open(key, seal(key, Buffer.from('secret')), Buffer.from('a'))).toThrow(DecryptionError)
  })

  it('rejects truncated input at every length', () => {
    const key = randomKey()
    const sealed = seal(key, Buffer.from('abc'))
    for (let len = 0; len < sealed.length; len++) {
      expect(() => open(key, sealed.subarray(0, len))).toThrow(DecryptionError)
    }
    // Extra trailing bytes shift the tag: also rejected.
    expect(() => open(key, Buffer.concat([sealed, Buffer.alloc(1)]))).toThrow(DecryptionError)
  })

  it('refuses keys of the wrong length loudly (programming error, not DecryptionError)', () => {
    expect(() => seal(Buffer.alloc(16), Buffer.from('x'))).toThrow(RangeError)
    expect(() => open(Buffer.alloc(16), seal(randomKey(), Buffer.from('x')))).toThrow(RangeError)
  })
})

describe('encryptJson / decryptJson and item AAD', () => {
  it('round-trips JSON values', () => {
    const key = randomKey()
    const aad = itemAad('i', 'f')
    const value = { title: 'Mail', username: 'ann@example.com', tags: ['a', 'b'], n: 1.5, ok: true, none: null }
    expect(decryptJson(key, encryptJson(key, value, aad), aad)).toEqual(value)
    expect(decryptJson(key, encryptJson(key, 'é✓', aad), aad)).toBe('é✓')
  })

  it('refuses values JSON cannot represent', () => {
    expect(() => encryptJson(randomKey(), undefined, itemAad('i', 'f'))).toThrow(TypeError)
  })

  it('a ciphertext moved to another item or another folder fails', () => {
    const key = randomKey()
    const sealed = encryptJson(key, { password: 'p' }, itemAad('item-1', 'folder-1'))
    expect(decryptJson(key, sealed, itemAad('item-1', 'folder-1'))).toEqual({ password: 'p' })
    expect(() => decryptJson(key, sealed, itemAad('item-2', 'folder-1'))).toThrow(DecryptionError)
    expect(() => decryptJson(key, sealed, itemAad('item-1', 'folder-2'))).toThrow(DecryptionError)
    expect(() => decryptJson(key, sealed, itemAad('folder-1', 'item-1'))).toThrow(DecryptionError)
  })

  it('AAD encodings are unambiguous and domain-separated', () => {
    expect(itemAad('ab', 'c').equals(itemAad('a', 'bc'))).toBe(false)
    expect(itemAad('a\0', 'b').equals(itemAad('a', '\0b'))).toBe(false)
    expect(itemAad('x', 'y').equals(folderKeyAad('x', 'y'))).toBe(false)
    expect(folderKeyAad('f', 'u1').equals(folderKeyAad('f', 'u2'))).toBe(false)
    expect(itemAad('i', 'f').equals(itemAad('i', 'f'))).toBe(true)
  })

  it('the import result keeps the label it was first sealed with', () => {
    // Pinned: a result sealed before a change must still open after it.
    expect(importResultAad('user-1').toString('utf8')).toBe('nucleusid:import-result:v1:user-1')
  })
})

describe('recovery codes', () => {
  const CODE_RE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}){6}$/

  it('are 7 groups of 4 Crockford symbols (140 bits), unique over 1000', () => {
    const codes = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const code = generateRecoveryCode()
      expect(code).toMatch(CODE_RE)
      expect(code.split('-')).toHaveLength(7)
      codes.add(code)
    }
    expect(codes.size).toBe(1000)
  })

  it('use every symbol of the alphabet with roughly uniform frequency', () => {
    // 1000 codes x 28 symbols = 28,000 draws, 875 expected per symbol; an off-by-one
    // alphabet or a biased mapping would leave a symbol at 0 or far from 875.
    const counts = new Map<string, number>()
    for (let i = 0; i < 1000; i++) {
      for (const c of generateRecoveryCode().replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1)
    }
    expect(counts.size).toBe(32)
    for (const n of counts.values()) expect(n).toBeGreaterThan(700) // > 6 sigma below the mean
  })

  it('normalizes what users type', () => {
    const code = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345'
    expect(normalizeRecoveryCode(code)).toBe(code)
    expect(normalizeRecoveryCode('abcdefghjkmnpqrstvwxyz012345')).toBe(code)
    expect(normalizeRecoveryCode('  abcd efgh-jkmn--pqrs tvwx yzo1 2345\n')).toBe(code) // o -> 0
    expect(normalizeRecoveryCode('ABCD-EFGH-JKMN-PQRS-TVWX-YZOI-2345')).toBe(code) // O->0, I->1
    expect(normalizeRecoveryCode('ABCD-EFGH-JKMN-PQRS-TVWX-YZ0l-2345')).toBe(code) // l->1
  })

  it('normalization returns "" for anything that cannot be a code', () => {
    expect(normalizeRecoveryCode('')).toBe('')
    expect(normalizeRecoveryCode('ABCD-EFGH')).toBe('')
    expect(normalizeRecoveryCode('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23456')).toBe('') // too long
    expect(normalizeRecoveryCode('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234U')).toBe('') // U not in alphabet
    expect(normalizeRecoveryCode('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234!')).toBe('')
  })

  it('deriveRecoveryKey matches an independent HKDF-SHA256 computation', () => {
    const salt = Buffer.from(Array.from({ length: 16 }, (_, i) => 100 + i))
    expect(deriveRecoveryKey('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345', salt).toString('hex')).toBe(
      '8bb250e39d12595eced9f2d829de13ba23c74a59b4df11d28ca516f46a979abe',
    )
  })

  it("node's HKDF matches RFC 5869 test case 1 (the primitive deriveRecoveryKey uses)", () => {
    const okm = hkdfSync('sha256', Buffer.alloc(22, 0x0b), hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42)
    expect(Buffer.from(okm).toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    )
  })

  it('a sloppily typed code derives the same key; another code or salt does not', () => {
    const code = generateRecoveryCode()
    const salt = newSalt()
    const key = deriveRecoveryKey(code, salt)
    expect(key).toHaveLength(32)
    expect(deriveRecoveryKey(code.toLowerCase().replace(/-/g, ''), salt).equals(key)).toBe(true)
    expect(deriveRecoveryKey(code.replace(/-/g, ' '), salt).equals(key)).toBe(true)
    expect(deriveRecoveryKey(generateRecoveryCode(), salt).equals(key)).toBe(false)
    expect(deriveRecoveryKey(code, newSalt()).equals(key)).toBe(false)
  })

  it('wraps and unwraps a vault key; a wrong code fails like a wrong key', () => {
    const code = generateRecoveryCode()
    const salt = newSalt()
    const vaultKey = randomKey()
    const wrapped = seal(deriveRecoveryKey(code, salt), vaultKey)
    expect(open(deriveRecoveryKey(code.toLowerCase(), salt), wrapped).equals(vaultKey)).toBe(true)
    expect(() => open(deriveRecoveryKey(generateRecoveryCode(), salt), wrapped)).toThrow(DecryptionError)
    expect(() => deriveRecoveryKey('not a code', salt)).toThrow(DecryptionError)
  })
})

describe('X25519 sealed boxes', () => {
  it("node's X25519 matches RFC 7748 section 6.1", () => {
    const bob = createPrivateKey({ key: BOB_PKCS8, format: 'der', type: 'pkcs8' })
    const alice = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: hex(ALICE_PUB_RAW).toString('base64url') }, format: 'jwk' })
    expect(diffieHellman({ privateKey: bob, publicKey: alice }).toString('hex')).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    )
  })

  it('opens a fixed vector produced by an independent implementation', () => {
    const folderKey = Buffer.from(Array.from({ length: 32 }, (_, i) => 32 + i))
    expect(openSealed(BOB_PKCS8, SEALED_VECTOR, folderKeyAad('folder-1', 'user-1')).equals(folderKey)).toBe(true)
  })

  it('generates DER key pairs (SPKI public, PKCS8 private)', () => {
    const { publicKey, privateKey } = generateUserKeyPair()
    expect(publicKey).toHaveLength(44) // 12-byte SPKI prefix + 32
    expect(privateKey).toHaveLength(48) // 16-byte PKCS8 prefix + 32
    expect(createPublicKey({ key: publicKey, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('x25519')
    expect(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('x25519')
  })

  it('round-trips and uses a fresh ephemeral key each time', () => {
    const { publicKey, privateKey } = generateUserKeyPair()
    const folderKey = randomKey()
    const aad = folderKeyAad('folder-1', 'user-1')
    const a = sealToPublicKey(publicKey, folderKey, aad)
    const b = sealToPublicKey(publicKey, folderKey, aad)
    expect(a).toHaveLength(1 + 32 + 12 + 32 + 16)
    expect(a[0]).toBe(CRYPTO_VERSION)
    expect(a.subarray(1, 33).equals(b.subarray(1, 33))).toBe(false)
    expect(openSealed(privateKey, a, aad).equals(folderKey)).toBe(true)
    expect(openSealed(privateKey, b, aad).equals(folderKey)).toBe(true)
    expect(openSealed(BOB_PKCS8, sealToPublicKey(BOB_SPKI, folderKey, aad), aad).equals(folderKey)).toBe(true)
  })

  it('the wrong recipient cannot open it', () => {
    const alice = generateUserKeyPair()
    const mallory = generateUserKeyPair()
    const aad = folderKeyAad('folder-1', 'alice')
    const sealed = sealToPublicKey(alice.publicKey, randomKey(), aad)
    expect(() => openSealed(mallory.privateKey, sealed, aad)).toThrow(DecryptionError)
  })

  it('is bound to its folder and member', () => {
    const { publicKey, privateKey } = generateUserKeyPair()
    const sealed = sealToPublicKey(publicKey, randomKey(), folderKeyAad('folder-1', 'user-1'))
    expect(() => openSealed(privateKey, sealed, folderKeyAad('folder-2', 'user-1'))).toThrow(DecryptionError)
    expect(() => openSealed(privateKey, sealed, folderKeyAad('folder-1', 'user-2'))).toThrow(DecryptionError)
  })

  it('detects a flipped bit in every region (version, ephemeral key, nonce, ciphertext, tag)', () => {
    const aad = folderKeyAad('folder-1', 'user-1')
    const regions = { version: 0, ephemeral: 10, nonce: 33 + 4, ciphertext: 45 + 7, tag: SEALED_VECTOR.length - 1 }
    for (const index of Object.values(regions)) {
      expect(() => openSealed(BOB_PKCS8, flip(SEALED_VECTOR, index), aad)).toThrow(DecryptionError)
    }
  })

  it('rejects truncated input and a low-order ephemeral key', () => {
    const aad = folderKeyAad('folder-1', 'user-1')
    for (let len = 0; len < SEALED_VECTOR.length; len++) {
      expect(() => openSealed(BOB_PKCS8, SEALED_VECTOR.subarray(0, len), aad)).toThrow(DecryptionError)
    }
    // An all-zero point yields an all-zero shared secret, which OpenSSL refuses.
    const lowOrder = Buffer.from(SEALED_VECTOR)
    lowOrder.fill(0, 1, 33)
    expect(() => openSealed(BOB_PKCS8, lowOrder, aad)).toThrow(DecryptionError)
  })

  it('refuses a public key that is not X25519', () => {
    const { publicKey } = generateUserKeyPair()
    expect(() => sealToPublicKey(publicKey.subarray(0, 20), randomKey(), Buffer.alloc(0))).toThrow()
  })
})

describe('random values', () => {
  it('newSalt and randomKey have the documented sizes', () => {
    expect(newSalt()).toHaveLength(16)
    expect(randomKey()).toHaveLength(32)
    expect(randomKey().equals(randomKey())).toBe(false)
  })
})
