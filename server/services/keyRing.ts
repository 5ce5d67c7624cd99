// Opens folder keys for one request (SPEC section 5): vault key -> private key -> sealed folder key.
import * as crypto from '../lib/crypto.js'
import type { Viewer } from './types.js'
import type { MembershipRow } from './access.js'

/**
 * Opens folder keys for one request: the private key is unwrapped once, each folder key once.
 * A key that cannot be opened gives null (its items show as unreadable), never an exception.
 */
export function createKeyRing(viewer: Viewer) {
  let privateKey: crypto.OpenedPrivateKey | null | undefined
  const folderKeys = new Map<string, Buffer | null>()

  function openPrivate(wrapped: Buffer): crypto.OpenedPrivateKey | null {
    if (privateKey === undefined) {
      try {
        privateKey = crypto.openPrivateKey(viewer.vaultKey, wrapped)
      } catch (e) {
        if (!(e instanceof crypto.DecryptionError)) throw e
        privateKey = null
      }
    }
    return privateKey
  }

  function folderKey(m: Pick<MembershipRow, 'folderId' | 'sealedKey' | 'privateKeyWrapped'>): Buffer | null {
    const cached = folderKeys.get(m.folderId)
    if (cached !== undefined) return cached
    let key: Buffer | null = null
    if (m.sealedKey && m.privateKeyWrapped) {
      const priv = openPrivate(m.privateKeyWrapped)
      if (priv) {
        try {
          key = crypto.openSealed(priv, m.sealedKey, crypto.folderKeyAad(m.folderId, viewer.userId))
        } catch (e) {
          if (!(e instanceof crypto.DecryptionError)) throw e
        }
      }
    }
    folderKeys.set(m.folderId, key)
    return key
  }

  /** For writes: a key we cannot open means we cannot encrypt, so fail loudly. */
  function requireFolderKey(m: Pick<MembershipRow, 'folderId' | 'sealedKey' | 'privateKeyWrapped'>): Buffer {
    const key = folderKey(m)
    if (!key) throw new crypto.DecryptionError('folder key could not be opened')
    return key
  }

  return { folderKey, requireFolderKey }
}
