// Import (issue 11): the importer against the real database (all or nothing, limits under
// parallel imports, bounded statements, folders matched by name) and POST /dashboard/import over
// HTTP against the running servers (413, CSRF after multipart parsing, 403, JSON answers, the
// result never in clear in Redis). Issue 20.3 (ADR 024): items land at once, "not checked yet",
// and are scored in the background; nothing plaintext is at rest while they wait.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { Redis } from 'ioredis'
import { createImporter } from '../../server/services/importer/importer.js'
import { createBackgroundScorer } from '../../server/services/importer/scoring.js'
import { createMemoryKv } from '../../server/lib/kv.js'
import { Client, importSession, postImport, textOf } from '../helpers/http.js'
import { CANARY_ITEM_PASSWORD } from '../helpers/canaries.js'
import { TEST_LIMITS, createTestContext, registerUser, type RegisteredUser } from '../helpers/context.js'
import { addMember, personalId } from '../helpers/vault.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url))
const csv = (text: string) => Buffer.from(text, 'utf8')
const BITWARDEN_HEADER = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp'

/** An importer on the test database with other limits (its own in-memory result store). */
function importerWith(limits: Partial<typeof TEST_LIMITS>) {
  return createImporter({ ...ctx.deps, limits: { ...TEST_LIMITS, ...limits }, kv: createMemoryKv() })
}

/** 100 characters zxcvbn is slowest on (every one a l33t substitution): up to a second each. */
const crafted = (i: number) => Array.from(randomBytes(100), (b) => '4@8(6<{[3&91!|7+0$5%2'[b % 21]).join('') + i

/** Items of these folders still waiting for their score. */
const waitingIn = async (folderIds: string[]) =>
  (
    await ctx.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE folder_id IN (:folderIds) AND score_due_at IS NOT NULL', {
      replacements: { folderIds },
      type: QueryTypes.SELECT,
    })
  )[0]!.n

/** Every item the user owns, decrypted, with its folder's name. */
async function vaultOf(u: RegisteredUser) {
  const page = await ctx.services.vault.listVault(u.viewer, { page: 1 })
  const items = await Promise.all(page.items.map((row) => ctx.services.vault.getItem(u.viewer, row.id)))
  return items.map((i) => ({ folder: i.folderName, ...i.fields }))
}

const itemCount = async (folderId: string) =>
  (await ctx.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE folder_id = :folderId', { replacements: { folderId }, type: QueryTypes.SELECT }))[0]!.n

/**
 * A Bitwarden-layout file of `n` distinct logins (names carry `tag`). Short passwords: zxcvbn
 * takes milliseconds on a random one, and these tests are about statements and locks.
 */
function bitwardenFile(n: number, tag: string, folder = '') {
  const rows = Array.from({ length: n }, (_, i) => `${folder},,login,${tag} ${i},,,,https://site${i}.example,user${i}@example.com,pw${i},`)
  return csv([BITWARDEN_HEADER, ...rows].join('\n'))
}

describe('the importer', () => {
  it('imports each fixture with its folders, its extra fields in the note, and its skipped rows', async () => {
    const u = await registerUser(ctx, 'Importer')
    const personal = await personalId(ctx, u)
    const importer = ctx.services.importer
    const run = (name: string) => importer.importCsv(u.viewer, { bytes: fixture(name), format: 'detect', folderId: personal, keepFolders: true })

    expect(await run('bitwarden.csv')).toMatchObject({ format: 'Bitwarden or NucleusID CSV', imported: 3, skipped: [], favourites: 1 })
    expect(await run('chrome.csv')).toMatchObject({ format: 'Chrome', imported: 2 })
    expect(await run('chrome-old.csv')).toMatchObject({ format: 'Chrome', imported: 1 })
    expect(await run('firefox.csv')).toMatchObject({ format: 'Firefox', imported: 2, skipped: [{ line: 4, reason: expect.stringContaining('chrome://') }] })
    expect(await run('lastpass.csv')).toMatchObject({ format: 'LastPass', imported: 3 })
    expect(await run('keepassxc.csv')).toMatchObject({ format: 'KeePassXC', imported: 2, skipped: [{ line: 5, reason: expect.stringContaining('Recycle Bin') }] })
    expect(await run('onepassword.csv')).toMatchObject({ format: '1Password', imported: 2 })
    expect(await run('nucleusid.csv')).toMatchObject({ format: 'Bitwarden or NucleusID CSV', imported: 3 })

    const items = await vaultOf(u)
    const byName = (name: string) => items.find((i) => i.name === name)
    expect(items).toHaveLength(18)
    expect(byName('Mastodon')).toEqual({
      folder: 'Social',
      name: 'Mastodon',
      username: 'octo@example.com',
      password: 'Velvet-Orbit-Canyon-19',
      url: 'https://social.example',
      // Issue 23: further addresses, custom fields and the star have places of their own now
      // (tests/integration/export-bitwarden-json.test.ts reads them back).
      note: '',
    })
    expect(byName('Alarm code')).toMatchObject({ folder: 'Personal', url: '', password: '', note: 'Front door: 1234\nBack door: 5678' })
    expect(byName('Forum, old')).toMatchObject({ folder: 'Social' })
    expect(byName('github.com')).toMatchObject({ note: 'Work account\nuses SSO', folder: 'Personal' })
    expect(byName('example.org')).toMatchObject({ username: 'someone@example.org', url: 'https://example.org/signin' })
    expect(byName('intranet.example.com')).toMatchObject({ note: 'HTTP realm: Staff only', password: 'Juniper-Lagoon-Ratchet-17' })
    expect(byName('Server notes')).toMatchObject({ folder: 'Work', url: '', note: 'NoteType:Server\nHostname:db.internal' })
    expect(byName('Shop')).toMatchObject({ folder: 'Shopping', note: 'Loyalty card: 0042, gold' })
    expect(byName('Build box')).toMatchObject({ folder: 'Work/Servers', note: 'Line one\nLine two, with "quotes"' })
    expect(byName('Router')).toMatchObject({ folder: 'Personal' })
    expect(byName('Dropbox')!.note).toBe('Shared with\nthe team\n\nTags: cloud,work')
    expect(byName('Bank "Main" account')).toMatchObject({ password: 'p,ss;word "quoted" 42', folder: 'Personal' })
    // "Work" from LastPass was created once; NucleusID's "Work" row went into that folder.
    expect(byName('Team wiki')).toMatchObject({ folder: 'Work' })
    const folders = await ctx.models.Folder.findAll({ where: { ownerId: u.user.id } })
    expect(folders.map((f) => f.name).sort()).toEqual(['Family', 'Personal', 'Shopping', 'Social', 'Work', 'Work/Servers'])
  })

  it('puts each format’s TOTP column into the authenticator key; a key it cannot read stays in the note, said so (ADR 030)', async () => {
    const u = await registerUser(ctx, 'Importer Totp')
    const personal = await personalId(ctx, u)
    const run = (name: string) => ctx.services.importer.importCsv(u.viewer, { bytes: fixture(name), format: 'detect', folderId: personal, keepFolders: false })
    for (const name of ['bitwarden.csv', 'lastpass.csv', 'keepassxc.csv', 'onepassword.csv', 'chrome.csv', 'firefox.csv', 'bitwarden-totp.csv']) await run(name)
    const page = await ctx.services.vault.listVault(u.viewer, { page: 1 })
    const items = await Promise.all(page.items.map((row) => ctx.services.vault.getItem(u.viewer, row.id)))
    const byName = (name: string) => items.find((i) => i.fields.name === name)!
    expect(byName('Mastodon').totp).toBe('JBSWY3DPEHPK3PXP') // Bitwarden login_totp
    expect(byName('Mail').totp).toMatch(/^otpauth:\/\/totp\/Mail\?.*secret=JBSWY3DPEHPK3PXP/) // LastPass totp
    expect(byName('Build box').totp).toMatch(/^otpauth:\/\/totp\/ci\?.*secret=JBSWY3DPEHPK3PXP/) // KeePassXC TOTP
    expect(byName('Dropbox').totp).toMatch(/^otpauth:\/\/totp\/Dropbox\?.*secret=JBSWY3DPEHPK3PXP/) // 1Password OTPAuth
    for (const i of [byName('Mastodon'), byName('Mail'), byName('Build box'), byName('Dropbox')]) expect(i.fields.note).not.toContain('JBSWY3DPEHPK3PXP')
    // Chrome and Firefox export no TOTP column: their items have no key.
    expect(byName('github.com').totp).toBe('')
    expect(byName('intranet.example.com').totp).toBe('')
    expect(byName('Good key site').totp).toBe('JBSWY3DPEHPK3PXP')
    expect(byName('Bad key site')).toMatchObject({ totp: '', fields: { note: 'Keep me\n\nAuthenticator key (not recognised, so not used for codes): not a key at all!' } })
    expect(byName('Hotp site')).toMatchObject({ totp: '', fields: { note: 'Authenticator key (not recognised, so not used for codes): otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=3' } })
  })

  it('skips duplicates of existing items and of earlier rows, and counts them', async () => {
    const u = await registerUser(ctx, 'Dupes')
    const personal = await personalId(ctx, u)
    const file = csv(`name,url,username,password\nA,https://a.example,me,Lantern-Quartz-1\nB,https://b.example,me,Lantern-Quartz-2\nA,https://a.example,me,Lantern-Quartz-1\n`)
    const first = await ctx.services.importer.importCsv(u.viewer, { bytes: file, format: 'chrome', folderId: personal, keepFolders: true })
    expect(first.imported).toBe(2)
    expect(first.skipped).toEqual([{ line: 4, name: 'A', reason: 'A duplicate of line 2 of this file.' }])
    const again = await ctx.services.importer.importCsv(u.viewer, { bytes: file, format: 'detect', folderId: personal, keepFolders: true })
    expect(again.imported).toBe(0)
    expect(again.skipped.map((s) => s.line)).toEqual([2, 3, 4])
    expect(await itemCount(personal)).toBe(2)
  })

  it('imports nothing from a file with a bad row, an unknown header or bytes that are not UTF-8', async () => {
    const u = await registerUser(ctx, 'Bad')
    const personal = await personalId(ctx, u)
    const run = (bytes: Buffer) => ctx.services.importer.importCsv(u.viewer, { bytes, format: 'detect', folderId: personal, keepFolders: true })
    const longNote = 'x'.repeat(10_001)
    await expect(run(csv(`name,url,username,password,note\nOk,https://ok.example,me,pw-1,\nLong,https://l.example,me,pw-2,${longNote}\n`))).rejects.toMatchObject({
      status: 422,
      fields: { file: expect.stringMatching(/^Line 3: Notes are at most 10,000 characters/) },
    })
    await expect(run(csv('name,url,username,password\nA,https://a.example,me,pw,extra\n'))).rejects.toMatchObject({ fields: { file: expect.stringContaining('line 2') } })
    await expect(run(csv('title;login;secret\nA;b;c\n'))).rejects.toMatchObject({ fields: { file: expect.stringContaining('not the header of an export we know') } })
    await expect(run(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x74, 0xe9, 0x0a]))).rejects.toMatchObject({ fields: { file: expect.stringContaining('not UTF-8') } })
    await expect(run(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).rejects.toMatchObject({ status: 422 })
    expect(await itemCount(personal)).toBe(0)
  })

  it('lands a file of slow passwords at once, "not checked yet", and scores them afterwards', async () => {
    // Before ADR 024 this import waited for zxcvbn (up to a second a password) or failed its budget.
    const u = await registerUser(ctx, 'Slow')
    const personal = await personalId(ctx, u)
    const rows = [
      ...Array.from({ length: 6 }, (_, i) => `,,login,Slow ${i},,,,https://slow${i}.example,me,"${crafted(i)}",`),
      ',,login,Weak one,,,,https://weak.example,me,summer2023,',
      ',,login,No password,,,,https://none.example,me,,',
    ]
    const importer = ctx.services.importer
    const started = performance.now()
    const result = await importer.importCsv(u.viewer, { bytes: csv([BITWARDEN_HEADER, ...rows].join('\n')), format: 'detect', folderId: personal, keepFolders: true })
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(result).toMatchObject({ imported: 8, unscored: 7 })
    expect(await itemCount(personal)).toBe(8)

    // Waiting: neither weak nor strong; counted apart; the item page says so.
    const pending = await ctx.services.vault.listHealth(u.viewer)
    expect(pending.counts.unscored).toBeGreaterThan(0)
    expect(pending.counts.noPassword).toBe(1)
    const list = await ctx.services.vault.listVault(u.viewer, {})
    const slow = list.items.find((r) => r.name === 'Slow 0')!
    const detail = await ctx.services.vault.getItem(u.viewer, slow.id)
    if ((await waitingIn([personal])) > 0 && detail.unscored) expect(detail.weak).toBe(false)

    await importer.scorer.idle(u.user.id)
    expect(await waitingIn([personal])).toBe(0)
    const health = await ctx.services.vault.listHealth(u.viewer)
    expect(health.counts.unscored ?? 0).toBe(0)
    expect(health.weak.map((r) => r.name)).toContain('Weak one')
    expect((await ctx.services.vault.getItem(u.viewer, slow.id)).unscored).toBe(false)
    expect(await importer.readResult(u.viewer)).toMatchObject({ imported: 8, unscored: 7, checked: 7 })
  }, 240_000)

  it('leaves no item waiting across concurrent scorers, and keeps an edit made meanwhile', async () => {
    // Two scorers (two processes) over the same folder: the claim is atomic, the write is bound to
    // the ciphertext it scored, so nothing is scored twice at once and no edit is lost.
    const u = await registerUser(ctx, 'Race')
    const personal = await personalId(ctx, u)
    const other = createImporter({ ...ctx.deps, kv: createMemoryKv() })
    const first_ = importerWith({})
    const result = await first_.importCsv(u.viewer, { bytes: bitwardenFile(40, 'Race'), format: 'detect', folderId: personal, keepFolders: true })
    expect(result.unscored).toBe(40)
    const [first] = (await ctx.services.vault.listVault(u.viewer, {})).items
    await ctx.services.vault.updateItem(u.viewer, first!.id, { name: 'Edited', username: 'me', password: 'summer2023', url: '', note: '' })
    // Two more scorers (other processes, or views after a restart) resume with the viewer's keys.
    other.scorer.resume(u.viewer)
    ctx.services.importer.scorer.resume(u.viewer)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await Promise.all([other.scorer.idle(), ctx.services.importer.scorer.idle(), first_.scorer.idle()])
    await expect.poll(() => waitingIn([personal]), { timeout: 60_000 }).toBe(0)
    const edited = await ctx.services.vault.getItem(u.viewer, first!.id)
    expect(edited.fields.name).toBe('Edited')
    expect(edited.weak).toBe(true)
    const health = await ctx.services.vault.listHealth(u.viewer)
    expect(health.counts.items).toBe(40)
    expect(health.counts.unscored ?? 0).toBe(0)
  }, 120_000)

  it('keeps the folders: a name matches an owned folder trimmed, NFC and case-insensitively, never a new duplicate', async () => {
    const u = await registerUser(ctx, 'Folder names')
    const personal = await personalId(ctx, u)
    const cafe = await ctx.services.vault.createFolder(u.viewer, 'Café Work')
    const decomposed = 'cafe\u0301 work' // "café work" with a combining accent (NFD)
    const file = csv([BITWARDEN_HEADER, `  ${decomposed}  ,,login,A,,,,https://a.example,me,,`, `CAFÉ WORK,,login,B,,,,https://b.example,me,,`, `personal ,,login,C,,,,https://c.example,me,,`].join('\n'))
    const result = await ctx.services.importer.importCsv(u.viewer, { bytes: file, format: 'detect', folderId: personal, keepFolders: true })
    expect(result.imported).toBe(3)
    expect(result.folders.find((f) => f.id === cafe.id)).toMatchObject({ count: 2, created: false })
    expect(result.folders.find((f) => f.id === personal)).toMatchObject({ count: 1, created: false })
    const folders = await ctx.models.Folder.findAll({ where: { ownerId: u.user.id } })
    expect(folders.map((f) => f.name).sort()).toEqual(['Café Work', 'Personal'])
  })

  it('respects the folder limit: a file that would create too many folders imports nothing', async () => {
    const u = await registerUser(ctx, 'Folders')
    const personal = await personalId(ctx, u)
    const importer = importerWith({ foldersPerUser: 3 })
    const file = csv([BITWARDEN_HEADER, ...['One', 'Two', 'Three'].map((f, i) => `${f},,login,Item ${i},,,,https://x${i}.example,me,pw-${i},`)].join('\n'))
    await expect(importer.importCsv(u.viewer, { bytes: file, format: 'detect', folderId: personal, keepFolders: true })).rejects.toMatchObject({
      fields: { file: expect.stringContaining('would create 3 folders') },
    })
    expect(await ctx.models.Folder.count({ where: { ownerId: u.user.id } })).toBe(1)
    expect(await itemCount(personal)).toBe(0)
    // Everything into the chosen folder needs no new folder.
    expect((await importer.importCsv(u.viewer, { bytes: file, format: 'detect', folderId: personal, keepFolders: false })).imported).toBe(3)
  })

  it('refuses a view-only shared folder (403) and a foreign one (404)', async () => {
    const owner = await registerUser(ctx, 'Owner')
    const member = await registerUser(ctx, 'Viewer')
    const { id: shared } = await ctx.services.vault.createFolder(owner.viewer, 'Shared')
    await addMember(ctx, owner, member, shared, 'view')
    const file = fixture('chrome.csv')
    await expect(ctx.services.importer.importCsv(member.viewer, { bytes: file, format: 'detect', folderId: shared, keepFolders: true })).rejects.toMatchObject({ status: 403 })
    const stranger = await registerUser(ctx, 'Stranger')
    await expect(ctx.services.importer.importCsv(stranger.viewer, { bytes: file, format: 'detect', folderId: shared, keepFolders: true })).rejects.toMatchObject({ status: 404 })
    expect(await itemCount(shared)).toBe(0)
  })

  it('50 parallel imports into one folder never pass its limit, and each is all or nothing', async () => {
    const u = await registerUser(ctx, 'Parallel')
    const personal = await personalId(ctx, u)
    const importer = importerWith({ itemsPerFolder: 10 })
    // The same file 50 times: one import writes it, every other finds its rows already there.
    const same = bitwardenFile(4, 'Same')
    const sameResults = await Promise.allSettled(Array.from({ length: 50 }, () => importer.importCsv(u.viewer, { bytes: same, format: 'detect', folderId: personal, keepFolders: true })))
    const imported = sameResults.map((r) => (r.status === 'fulfilled' ? r.value.imported : 0))
    expect(imported.filter((n) => n === 4)).toHaveLength(1)
    expect(imported.filter((n) => n !== 0 && n !== 4)).toEqual([])
    expect(await itemCount(personal)).toBe(4)

    // 50 different files of 3 rows: only two more fit (4 + 2 x 3 = 10); the rest are refused whole.
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => importer.importCsv(u.viewer, { bytes: bitwardenFile(3, `File ${i}`), format: 'detect', folderId: personal, keepFolders: true })))
    const done = results.filter((r) => r.status === 'fulfilled')
    expect(done).toHaveLength(2)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 422, fields: { file: expect.stringContaining('at most 10') } })
    expect(await itemCount(personal)).toBe(10)
    const names = (await vaultOf(u)).map((i) => i.name)
    // Whole files only: each File n appears with all of its 3 rows or not at all.
    const perFile = new Map<string, number>()
    for (const n of names.filter((n) => n.startsWith('File '))) perFile.set(n.replace(/ \d+$/, ''), (perFile.get(n.replace(/ \d+$/, '')) ?? 0) + 1)
    expect([...perFile.values()]).toEqual([3, 3])
  }, 120_000)

  it('costs the same number of SQL statements for 3 rows as for 1,200 (bulk inserts, not one per row)', async () => {
    // The time 5,000 rows take is measured by bench/import.ts (zxcvbn dominates it).
    const quiet = createImporter({ ...ctx.deps, kv: createMemoryKv(), scorer: { ...createBackgroundScorer(ctx.deps), start: async () => {} } })
    const statements = async (rows: number) => {
      const u = await registerUser(ctx, 'Bulk')
      const personal = await personalId(ctx, u)
      // The background scoring runs its own statements, after the import: not counted here.
      await ctx.services.importer.scorer.idle()
      ctx.counter.count = 0
      const result = await quiet.importCsv(u.viewer, { bytes: bitwardenFile(rows, 'Bulk', 'Bulk folder'), format: 'detect', folderId: personal, keepFolders: true })
      expect(result.imported).toBe(rows)
      return ctx.counter.count
    }
    const few = await statements(3)
    const many = await statements(1200)
    // 1,200 rows take one INSERT more than 3 (items go in chunks of 1,000).
    expect(many).toBe(few + 1)
    expect(many).toBeLessThanOrEqual(20)
  }, 300_000)
})

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/** A new user, their Personal folder and their browser on the import page. */
async function importer(name: string) {
  const u = await registerUser(ctx, name)
  return { u, personal: await personalId(ctx, u), s: await importSession(u) }
}

describe('POST /dashboard/import', () => {
  it('answers 303 to the result page, which shows the result again on refresh; Redis holds it only encrypted', async () => {
    const { u, personal, s } = await importer('HttpImport')
    const res = await s.upload(fixture('firefox.csv'), { folder_id: personal, format: 'detect', folders: 'keep' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/dashboard/import/result')

    const redis = new Redis(process.env.REDIS_URL!)
    const stored = await redis.get(`${process.env.REDIS_PREFIX}import-result:${u.user.id}`)
    await redis.quit()
    expect(stored).toBeTruthy()
    expect(stored).not.toContain('accounts.example.com')
    expect(Buffer.from(stored!, 'base64').toString('latin1')).not.toContain('accounts.example.com')

    const page = textOf(await (await s.client.get('/dashboard/import/result')).text())
    expect(page).toContain('2 items imported into Personal')
    expect(page).toContain('1 row skipped')
    expect(page).toContain('A Firefox internal entry (chrome://)')
    expect(page).not.toContain('Ember-Willow-Sextant-45')
    // Readable again (the progress of its scoring shows on refresh), until it expires.
    await ctx.services.importer.scorer.idle()
    await expect.poll(async () => textOf(await (await s.client.get('/dashboard/import/result')).text()), { timeout: 120_000, interval: 500 }).toContain('2 passwords checked')
    const progress = await s.client.get('/dashboard/import/progress', { headers: { accept: 'application/json' } })
    expect(await progress.json()).toEqual({ ok: true, checked: 2, unscored: 2 })
  }, 150_000)

  it('lands a file of slow passwords at once: pending items say "not checked yet", nothing plaintext is at rest, then health is right', async () => {
    const { u, personal, s } = await importer('Pending')
    // 6 passwords that take zxcvbn up to a second each (seconds of scoring), and a canary.
    const rows = [
      `,,login,Canary,,,,https://canary.example,me,"${CANARY_ITEM_PASSWORD}",`,
      ',,login,Weak one,,,,https://weak.example,me,summer2023,',
      ...Array.from({ length: 6 }, (_, i) => `,,login,Slow ${i},,,,https://slow${i}.example,me,"${crafted(i)}",`),
    ]
    const started = performance.now()
    const res = await s.upload(csv([BITWARDEN_HEADER, ...rows].join('\n')), { folder_id: personal })
    expect(res.status).toBe(303)
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(await itemCount(personal)).toBe(8)
    expect(await waitingIn([personal])).toBeGreaterThan(0)

    const result = textOf(await (await s.client.get('/dashboard/import/result')).text())
    expect(result).toMatch(/Checking password strength: \d+ of 8 checked|8 passwords checked/)
    const health = textOf(await (await s.client.get('/dashboard/health')).text())
    if ((await waitingIn([personal])) > 2) expect(health).toMatch(/\d+ passwords? not checked yet/)
    const list = textOf(await (await s.client.get(`/dashboard/folders/${personal}`)).text())
    if ((await waitingIn([personal])) > 2) expect(list).toContain('Not checked yet')

    // While items wait: no table and no Redis key holds the canary password, as text or as hex.
    const needles = [CANARY_ITEM_PASSWORD, Buffer.from(CANARY_ITEM_PASSWORD, 'utf8').toString('hex')].map((n) => n.toLowerCase())
    const tables = await ctx.sequelize.query<{ name: string }>(
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      { type: QueryTypes.SELECT },
    )
    const waitingDuringScan = await waitingIn([personal])
    for (const { name } of tables) {
      const dump = (await ctx.sequelize.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`, { type: QueryTypes.SELECT })).map((r) => r.row).join('\n').toLowerCase()
      for (const needle of needles) expect(dump.includes(needle), `${name} holds the canary`).toBe(false)
    }
    const redis = new Redis(process.env.REDIS_URL!)
    try {
      const keys = await redis.keys(`${process.env.REDIS_PREFIX}*`)
      for (const key of keys) {
        if ((await redis.type(key)) !== 'string') continue
        const value = ((await redis.getBuffer(key)) ?? Buffer.alloc(0)).toString('latin1').toLowerCase()
        for (const needle of needles) expect(value.includes(needle), `${key} holds the canary`).toBe(false)
      }
    } finally {
      await redis.quit()
    }
    expect(waitingDuringScan).toBeGreaterThan(0)

    // Then every password is checked, and health is right.
    await expect.poll(() => waitingIn([personal]), { timeout: 150_000, interval: 500 }).toBe(0)
    const after = await ctx.services.vault.listHealth(u.viewer)
    expect(after.counts.unscored ?? 0).toBe(0)
    expect(after.weak.map((r) => r.name)).toEqual(['Weak one'])
    expect(textOf(await (await s.client.get('/dashboard/import/result')).text())).toContain('8 passwords checked')
    expect(textOf(await (await s.client.get('/dashboard/health')).text())).not.toContain('not checked yet')
  }, 240_000)

  it('keeps the server answering other requests while it scores a file of slow passwords in the background', async () => {
    const { personal, s } = await importer('Busy')
    // 6 passwords that take zxcvbn up to a second each: seconds of scoring, on the pool's threads.
    const rows = Array.from({ length: 6 }, (_, i) => `,,login,Busy ${i},,,,https://busy${i}.example,me,"${crafted(i)}",`)
    expect((await s.upload(csv([BITWARDEN_HEADER, ...rows].join('\n')), { folder_id: personal })).status).toBe(303)
    expect(await itemCount(personal)).toBe(6)
    const other = new Client()
    const latencies: number[] = []
    while (latencies.length < 20 && (await waitingIn([personal])) > 0) {
      const started = performance.now()
      expect((await other.get('/login')).status).toBe(200)
      latencies.push(performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(latencies.length).toBeGreaterThan(3)
    // On the event loop, a request would have waited for a whole password's scoring (up to a second each).
    expect(Math.max(...latencies)).toBeLessThan(1_000)
  }, 60_000)

  it('refuses a 6 MB file with 413 and imports nothing', async () => {
    const { personal, s } = await importer('Big')
    const big = Buffer.concat([csv('name,url,username,password\n'), Buffer.alloc(6 * 1024 * 1024, 'a')])
    const res = await s.upload(big, { folder_id: personal })
    expect(res.status).toBe(413)
    expect(textOf(await res.text())).toContain('This file is larger than 5 MB, so nothing was imported.')
    const json = await s.upload(big, { folder_id: personal }, { json: true })
    expect(json.status).toBe(413)
    expect(await json.json()).toMatchObject({ ok: false, errors: { file: expect.stringContaining('larger than 5 MB') } })
    expect(await itemCount(personal)).toBe(0)
  })

  it('refuses a multipart post without the CSRF token or from another origin (403)', async () => {
    const { personal, s } = await importer('Csrf')
    expect((await s.upload(fixture('chrome.csv'), { folder_id: personal }, { csrf: null })).status).toBe(403)
    expect((await s.upload(fixture('chrome.csv'), { folder_id: personal }, { origin: 'https://evil.example' })).status).toBe(403)
    expect(await itemCount(personal)).toBe(0)
  })

  it('does not read the body of a logged-out request', async () => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(fixture('chrome.csv'))]), 'export.csv')
    const res = await postImport(new Client(), form)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/login\?next=/)
    expect((await postImport(new Client(), form, { json: true })).status).toBe(401)
  })

  it('refuses a view-only folder with 403', async () => {
    const owner = await registerUser(ctx, 'HttpOwner')
    const member = await registerUser(ctx, 'HttpViewer')
    const { id: shared } = await ctx.services.vault.createFolder(owner.viewer, 'Shared')
    await addMember(ctx, owner, member, shared, 'view')
    const s = await importSession(member)
    expect((await s.upload(fixture('chrome.csv'), { folder_id: shared })).status).toBe(403)
    expect(await itemCount(shared)).toBe(0)
  })

  it('answers JSON to a fetch: {ok, redirect}, or 422 with the message on the file field', async () => {
    const { personal, s } = await importer('Json')
    const ok = await s.upload(fixture('chrome-old.csv'), { folder_id: personal }, { json: true })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ ok: true, redirect: '/dashboard/import/result' })
    const bad = await s.upload(csv('hello\nworld\n'), { folder_id: personal }, { json: true })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ ok: false, errors: { file: expect.stringContaining('not the header') } })
  })

  it('re-renders the form with 422, the message next to the file field and the other values kept', async () => {
    const { personal, s } = await importer('Form')
    const res = await s.upload(csv('name,url,username,password\nA,https://a.example,me\n'), { folder_id: personal, format: 'chrome', folders: 'single' })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(textOf(html)).toContain('line 2')
    expect(html).toMatch(/<option value="chrome"[^>]*selected/)
    expect(html).toMatch(/value="single"[^>]*checked/)
  })
})
