// Seeds bench users through the real services and models: registration, folders and sharing
// (invite + accept) through the services, items bulk-inserted as real AES-256-GCM ciphertexts under each folder's key (the same
// format and AAD the server decrypts), with a realistic mix of weak, reused and empty passwords.
import { randomUUID } from 'node:crypto'
import { QueryTypes } from 'sequelize'
import * as crypto from '../server/lib/crypto.js'
import { createSequelize } from '../server/lib/db.js'
import { initModels } from '../models/index.js'
import { createServices } from '../server/services/index.js'
import { queryMemberships } from '../server/services/access.js'
import { encryptItem, itemPlaintext, itemStrengthJob } from '../server/services/itemCrypto.js'
import { rebuildListIndexes } from '../server/services/listIndex.js'
import { passwordScore } from '../shared/passwordStrength.js'
import type { FolderList, ItemFields, VaultPage } from '../shared/contract.js'
import type { Viewer } from '../server/services/types.js'

export const FOLDER_NAMES = ['Work', 'Finance', 'Shopping', 'Social', 'Travel', 'Family', 'Development', 'Streaming', 'Utilities']
export const MASTER_PASSWORD = 'bench quartz lantern mosaic orbit velvet'

export interface SeededUser {
  /** What the bench calls this vault in its tables, the ceiling's x-bench-size and its maps: '200', 'shared 5x40'. */
  label: string
  /** Items the user can open (own and shared). */
  size: number
  /** The user's email is verified (the page shows no "verify your email" notice). */
  verified: boolean
  email: string
  password: string
  name: string
  viewer: Viewer
  /** A unique item name that sorts first (page 1), for the "data once" check; null with 0 items. */
  canary: { id: string; name: string } | null
}

/** Deterministic PRNG (mulberry32), so every run seeds the same kind of vault. */
function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SITES = [
  'GitHub', 'GitLab', 'Gmail', 'Outlook', 'Amazon', 'eBay', 'PayPal', 'Stripe', 'Netflix', 'Spotify', 'Disney Plus',
  'Dropbox', 'Slack', 'Zoom', 'Notion', 'Figma', 'Trello', 'Jira', 'Confluence', 'LinkedIn', 'Twitter', 'Facebook',
  'Instagram', 'Reddit', 'Discord', 'Steam', 'Booking', 'Airbnb', 'Lufthansa', 'Uber', 'Revolut', 'N26', 'Chase',
  'Barclays', 'Vodafone', 'Comcast', 'Electric Co', 'Water Utility', 'City Library', 'Coursera', 'Udemy',
  'DigitalOcean', 'AWS Console', 'Azure Portal', 'Cloudflare', 'Namecheap', 'Docker Hub', 'npm', 'Heroku', 'Vercel',
]
const TAGS = ['', '', '', 'work', 'personal', 'old', 'family', 'admin', 'test', 'backup', 'shared', 'billing']
const FIRST = ['alex', 'sam', 'jordan', 'taylor', 'morgan', 'casey', 'robin', 'jamie', 'chris', 'pat']
const COMMON_WEAK = ['password123', 'qwerty2024', 'letmein!', 'Summer2023', 'iloveyou1', 'dragon99', 'monkey123', 'football7']
const CHARS = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*-_'

function makeItems(count: number, seed: number, canaryName: string | null) {
  const r = rng(seed)
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]
  const strong = () => Array.from({ length: 20 }, () => CHARS[Math.floor(r() * CHARS.length)]).join('')
  const sharedStrong = Array.from({ length: 5 }, strong)
  const items: (ItemFields & { unique: boolean })[] = []
  for (let i = 0; i < count; i++) {
    const site = pick(SITES)
    const tag = pick(TAGS)
    const domain = site.toLowerCase().replace(/[^a-z0-9]+/g, '') + '.example.com'
    const roll = r()
    // ~8% weak (a small pool of common passwords, so also reused), ~7% a reused strong one,
    // ~3% none, the rest unique and strong.
    const unique = roll >= 0.18
    const password = roll < 0.08 ? pick(COMMON_WEAK) : roll < 0.15 ? pick(sharedStrong) : roll < 0.18 ? '' : strong()
    items.push({
      unique,
      name: i === 0 && canaryName ? canaryName : `${site}${tag ? ` (${tag})` : ''} ${String(i).padStart(4, '0')}`,
      username: r() < 0.5 ? `${pick(FIRST)}.${pick(FIRST)}@mail.example` : `${pick(FIRST)}${Math.floor(r() * 1000)}`,
      password,
      url: r() < 0.9 ? `https://${r() < 0.5 ? 'www.' : 'login.'}${domain}/${r() < 0.5 ? 'signin' : 'account/login'}` : '',
      note: r() < 0.3 ? `Recovery questions and notes for ${site}. `.repeat(1 + Math.floor(r() * 4)) : '',
    })
  }
  return items
}

export function createSeeder(databaseUrl: string, kdfLogN: number) {
  const sequelize = createSequelize(databaseUrl, { poolMax: 4 })
  const models = initModels(sequelize)
  const deps = {
    sequelize,
    models,
    kdf: { logN: kdfLogN, r: 8, p: 1 },
    tokenKeys: [Buffer.alloc(32, 9)],
    limits: { foldersPerUser: 100, itemsPerFolder: 5000, membersPerFolder: 50 },
  }
  const services = createServices(deps)
  // zxcvbn costs ~25 ms per long random password, which would make seeding 1,200 items take half
  // a minute: the unique random 20-character passwords get 4 (what zxcvbn gives every one of
  // them), the few pooled passwords (weak or reused) get their real score, computed once each.
  const scoreCache = new Map<string, number>()
  const score = (f: ItemFields & { unique: boolean }) => {
    if (f.unique) return 4
    let s = scoreCache.get(f.password)
    // zxcvbn in this process (a bench script, not a server: nothing else waits for its loop).
    if (s === undefined) scoreCache.set(f.password, (s = f.password === '' ? 0 : passwordScore(f.password, itemStrengthJob(f).inputs)))
    return s
  }

  async function folderKeyOf(userId: string, vaultKey: Buffer, folderId: string) {
    const user = await models.User.findByPk(userId)
    const m = await models.FolderMembership.findOne({ where: { folderId, userId } })
    const priv = crypto.open(vaultKey, user!.privateKeyWrapped, Buffer.from('private-key'))
    return crypto.openSealed(priv, m!.sealedKey, crypto.folderKeyAad(folderId, userId))
  }

  /** A user with 10 folders (Personal + 9) and `size` items spread over them. */
  async function seedUser(size: number, run: string): Promise<SeededUser> {
    const name = `Bench ${size}`
    const email = `bench-${size}-${run}@example.test`
    const { user, vaultKey } = await services.users.register({ name, email, password: MASTER_PASSWORD })
    const viewer: Viewer = { userId: user.id, vaultKey }
    for (const f of FOLDER_NAMES) await services.vault.createFolder(viewer, f)
    const folders = await models.Folder.findAll({ where: { ownerId: user.id } })
    const keys = new Map<string, Buffer>()
    for (const f of folders) keys.set(f.id, await folderKeyOf(user.id, vaultKey, f.id))
    const folderIds = folders.map((f) => f.id)

    const canaryName = size > 0 ? `Aardvark Canary ${size} ${run}` : null
    const r = rng(size * 7919 + 1)
    const rows = makeItems(size, size, canaryName).map((item) => {
      const { unique: _unique, ...fields } = item
      const id = randomUUID()
      const folderId = folderIds[Math.floor(r() * folderIds.length)]
      const ciphertext = encryptItem(keys.get(folderId)!, id, folderId, itemPlaintext(fields, score(item), null))
      return { id, folderId, ciphertext }
    })
    for (let i = 0; i < rows.length; i += 500) {
      await models.Item.bulkCreate(rows.slice(i, i + 500).map(({ id, folderId, ciphertext }) => ({ id, folderId, ciphertext })))
    }
    // Items inserted behind the services' back: build each folder's list index as the server does (ADR 020).
    await sequelize.transaction((t) => rebuildListIndexes(deps, t, folderIds.map((folderId) => ({ folderId, key: keys.get(folderId)! }))))
    const canary = canaryName ? { id: rows[0].id, name: canaryName } : null
    return { label: String(size), size, verified: false, email, password: MASTER_PASSWORD, name, viewer, canary }
  }

  const markVerified = (userId: string) =>
    sequelize.query('UPDATE users SET verified_at = now() WHERE id = :userId', { replacements: { userId }, type: QueryTypes.UPDATE })

  /**
   * A user who owns nothing but Personal and is a member of `folders` shared folders, each owned
   * by another seeded user and holding `perFolder` items. Everything through the services: both
   * sides verified, the owner invites (the folder key sealed to the member), the member accepts.
   * Folders alternate edit and view, the first (which holds the canary) is edit.
   */
  async function seedSharedMember(folders: number, perFolder: number, run: string): Promise<SeededUser> {
    const label = `shared ${folders}x${perFolder}`
    const name = `Bench Member ${folders}x${perFolder}`
    const email = `bench-member-${folders}x${perFolder}-${run}@example.test`
    const { user, vaultKey } = await services.users.register({ name, email, password: MASTER_PASSWORD })
    await markVerified(user.id)
    const viewer: Viewer = { userId: user.id, vaultKey }
    const canaryName = perFolder > 0 ? `Aardvark Canary shared ${run}` : null
    let canary: SeededUser['canary'] = null
    for (let i = 0; i < folders; i++) {
      const owner = await services.users.register({ name: `Bench Owner ${i + 1}`, email: `bench-owner-${i + 1}-${run}@example.test`, password: MASTER_PASSWORD })
      await markVerified(owner.user.id)
      const ownerViewer: Viewer = { userId: owner.user.id, vaultKey: owner.vaultKey }
      const folderName = `${FOLDER_NAMES[i % FOLDER_NAMES.length]} (team ${i + 1})`
      const { id: folderId } = await services.vault.createFolder(ownerViewer, folderName)
      const key = await folderKeyOf(owner.user.id, owner.vaultKey, folderId)
      const rows = makeItems(perFolder, 100_003 + i, i === 0 ? canaryName : null).map((item) => {
        const { unique: _unique, ...fields } = item
        const id = randomUUID()
        return { id, folderId, ciphertext: encryptItem(key, id, folderId, itemPlaintext(fields, score(item), null)) }
      })
      if (rows.length) await models.Item.bulkCreate(rows)
      await sequelize.transaction((t) => rebuildListIndexes(deps, t, [{ folderId, key }]))
      if (i === 0 && canaryName && rows[0]) canary = { id: rows[0].id, name: canaryName }
      await services.sharing.invite(ownerViewer, folderId, { email, permission: i % 2 === 0 ? 'edit' : 'view' })
      await services.sharing.accept(viewer, folderId)
    }
    return { label, size: folders * perFolder, verified: true, email, password: MASTER_PASSWORD, name, viewer, canary }
  }

  /** What the real service gives the dashboard (page 1, no search, and the sidebar): the ceiling serves this. */
  const listVault = async (viewer: Viewer): Promise<{ page: VaultPage; sidebar: FolderList }> => {
    const reader = services.vault.reader(viewer)
    const [page, sidebar] = await Promise.all([reader.list({ q: '', page: 1 }), reader.folders()])
    return { page, sidebar }
  }

  /**
   * Where listVault's time goes, measured in this process with the server idle (medians in ms):
   * cold = a service with an empty list cache (the memberships query with each folder's list index,
   * one decryption per folder), as on a first view; warm = an unchanged vault served from the list cache (memberships query
   * only); changed = right after one item was saved (only its folder is decrypted again);
   * sql = the cold path's query alone.
   */
  async function profileListVault(viewer: Viewer, rounds = 15) {
    const cold: number[] = []
    const warm: number[] = []
    const changed: number[] = []
    const sql: number[] = []
    for (let i = 0; i < rounds; i++) {
      const fresh = createServices(deps).vault
      let t = performance.now()
      await fresh.listVault(viewer, { q: '', page: 1 })
      cold.push(performance.now() - t)
      t = performance.now()
      const reader = fresh.reader(viewer)
      const [page, { folders }] = await Promise.all([reader.list({ q: '', page: 1 }), reader.folders()])
      warm.push(performance.now() - t)
      // An item the viewer may edit (a member may be view-only in some folders).
      const editable = new Set(folders.filter((f) => f.permission === 'edit').map((f) => f.id))
      const first = page.items.find((i) => !i.unreadable && editable.has(i.folderId))
      if (first) {
        const item = await fresh.getItem(viewer, first.id)
        await fresh.updateItem(viewer, first.id, item.fields)
        t = performance.now()
        await fresh.listVault(viewer, { q: '', page: 1 })
        changed.push(performance.now() - t)
      }
      t = performance.now()
      // The same query as listVault's cold path with every list index current (server/services/vault.ts
      // loadVault, ADR 020): the memberships with each folder's index.
      await queryMemberships(deps, viewer.userId, { withKeys: true, withVersion: true, withDigest: true, withInvitations: true, withListIndex: true })
      sql.push(performance.now() - t)
    }
    return {
      listVaultMs: median(cold.slice(3)),
      warmListVaultMs: median(warm.slice(3)),
      changedListVaultMs: changed.length ? median(changed.slice(3)) : 0,
      sqlMs: median(sql.slice(3)),
    }
  }

  return { seedUser, seedSharedMember, listVault, profileListVault, close: () => sequelize.close() }
}

export function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
