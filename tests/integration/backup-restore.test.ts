// Backups (issue 24): `npm run backup` and `npm run restore` as an operator runs them (child
// processes of the real CLI against the suite's PostgreSQL). A user's vault is backed up, restored
// into a new database, and a server started on it (with a Redis prefix of its own, so no session
// carries over) lets the user log in and read every item, field and attachment as it was. Also:
// a restore into a database that holds anything is refused and changes nothing; retention keeps
// only the newest N of our files and nothing else; a failed backup leaves no file and no password
// in its message.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { parse } from 'csv-parse/sync'
import { Client, csrfFrom, session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, type RegisteredUser } from '../helpers/context.js'
import { ownRedisPrefix, startServer, type TestServer } from '../helpers/server.js'
import { personalId, verifiedUser } from '../helpers/vault.js'

const base = process.env.DATABASE_URL!
const ctx = createTestContext()
const admin = new pg.Client({ connectionString: base })
const restoredName = `nid_restore_${randomBytes(4).toString('hex')}`
const restoredUrl = new URL(base)
restoredUrl.pathname = `/${restoredName}`
const work = mkdtempSync(path.join(os.tmpdir(), 'nid-backup-test-'))
let server: TestServer | undefined

beforeAll(() => admin.connect())
afterAll(async () => {
  await server?.stop()
  await admin.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`)
  await admin.end()
  await ctx.sequelize.close()
  rmSync(work, { recursive: true, force: true })
})

/** Runs a CLI entry as `npm run backup/restore` does, with `env` on top of the suite's. */
function cli(entry: 'backup' | 'restore', args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `server/cli/${entry}.ts`, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

const ours = (dir: string) => readdirSync(dir).filter((f) => /^nucleusid-\d{8}T\d{6}Z\.dump$/.test(f)).sort()

/** Every table of a database with its row count: what "untouched" compares. */
async function snapshot(url: string) {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    const { rows } = await c.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    const counts: Record<string, number> = {}
    for (const { name } of rows) counts[name] = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`)).rows[0]!.n
    return counts
  } finally {
    await c.end()
  }
}

const AWKWARD = [
  itemFields({ name: 'Bank "main", €', username: 'ada\\lovelace', password: `p'a"s,s\\w;o=r+d 🔑`, note: 'line one\r\nline "two", three\n\ttabbed\n' }),
  itemFields({ name: 'שלום עולם', username: '  padded  ', password: 'Cafe\u0301 n\u0303 \u200b', url: 'https://café.example/ü/ß?q=a&b=c', note: '=1+1\n@home\n-' }),
  itemFields({ name: 'Family 👨‍👩‍👧‍👦', username: '', password: '%s %d {0} $(rm -rf)', url: '', note: '' }),
]
const FOLDER = 'Work, "old" & <new>'

describe('backup and restore round trip', () => {
  let user: RegisteredUser
  const itemIds: string[] = []
  let attachmentId = ''
  const attachmentBytes = randomBytes(70_000)
  let dump = ''

  it('backs up a vault with `npm run backup` into a file of its own', async () => {
    user = await verifiedUser(ctx, 'Backup Owner')
    const personal = await personalId(ctx, user)
    const { id: workFolder } = await ctx.services.vault.createFolder(user.viewer, FOLDER)
    for (const [i, fields] of AWKWARD.entries()) {
      itemIds.push((await ctx.services.vault.createItem(user.viewer, { folderId: i === 1 ? workFolder : personal, ...fields })).id)
    }
    // An attachment, uploaded as a browser does: its chunks live in PostgreSQL too.
    const s = await session(user)
    const form = new FormData()
    form.append('_csrf', s.token)
    form.append('file', new Blob([new Uint8Array(attachmentBytes)], { type: 'application/octet-stream' }), 'scan «1».bin')
    const up = await fetch(`${process.env.BASE_URL}/dashboard/items/${itemIds[0]}/attachments`, {
      method: 'POST',
      body: form,
      headers: { origin: process.env.BASE_URL!, cookie: s.client.cookieHeader() },
      redirect: 'manual',
    })
    expect(up.status, textOf(await up.text()).slice(0, 300)).toBe(303)
    attachmentId = (await admin.query<{ id: string }>('SELECT id FROM attachments WHERE item_id = $1', [itemIds[0]])).rows[0]!.id

    const dir = path.join(work, 'backups')
    const run = cli('backup', ['--dir', dir])
    expect(run.status, run.stderr).toBe(0)
    const files = readdirSync(dir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^nucleusid-\d{8}T\d{6}Z\.dump$/)
    dump = path.join(dir, files[0]!)
    expect(run.stdout).toContain(dump)
    expect(statSync(dump).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  }, 120_000)

  it('restores it with `npm run restore` into a new, empty database', async () => {
    await admin.query(`CREATE DATABASE ${restoredName}`)
    const run = cli('restore', [dump], { DATABASE_URL: restoredUrl.toString() })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/Restored .* into /)
    expect(run.stdout).toMatch(/everyone logs in again/)
  }, 120_000)

  it('refuses to restore into a database that is not empty, and changes nothing in it', async () => {
    const before = await snapshot(restoredUrl.toString())
    expect(before.users).toBeGreaterThan(0)
    const run = cli('restore', [dump], { DATABASE_URL: restoredUrl.toString() })
    expect(run.status).not.toBe(0)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/is not empty/)
    expect(run.stderr).toMatch(/CREATE DATABASE/)
    expect(await snapshot(restoredUrl.toString())).toEqual(before)
  }, 120_000)

  it('a server on the restored database: the user logs in again and reads every item and the attachment', async () => {
    server = await startServer({ DATABASE_URL: restoredUrl.toString(), REDIS_PREFIX: ownRedisPrefix('restored') })
    const c = new Client()
    // Sessions are not in a backup: the old server's cookie means nothing here.
    const login = await c.login(user.email, user.password, server.origin)
    expect(login.status).toBe(303)
    expect(login.headers.get('location')).toBe('/dashboard')

    for (const id of itemIds) expect((await c.get(`/dashboard/items/${id}`, { server: server.origin })).status).toBe(200)

    const token = csrfFrom(await (await c.get('/dashboard/settings', { server: server.origin })).text())
    const res = await c.request('/dashboard/export', { server: server.origin, method: 'POST', form: { _csrf: token, password: user.password } })
    expect(res.status).toBe(200)
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[]
    const read = rows.map((r) => ({ folder: r.folder, name: r.name, note: r.notes, url: r.login_uri, username: r.login_username, password: r.login_password }))
    const expected = AWKWARD.map((f, i) => ({ folder: i === 1 ? FOLDER : '', name: f.name, note: f.note, url: f.url, username: f.username, password: f.password }))
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
    expect(read.sort(byName)).toEqual(expected.sort(byName))

    const file = await c.get(`/dashboard/items/${itemIds[0]}/attachments/${attachmentId}`, { server: server.origin })
    expect(file.status).toBe(200)
    expect(Buffer.from(await file.arrayBuffer()).equals(attachmentBytes)).toBe(true)
  }, 180_000)
})

describe('backup files', () => {
  it('keeps the newest BACKUP_KEEP of its own files and deletes nothing else', () => {
    const dir = path.join(work, 'retention')
    const old = ['nucleusid-20200101T000000Z.dump', 'nucleusid-20200102T000000Z.dump', 'nucleusid-20200103T000000Z.dump']
    const others = ['notes.txt', 'nucleusid-manual.dump', 'nucleusid-20190101T000000Z.dump.bak']
    mkdirSync(dir)
    for (const f of [...old, ...others]) writeFileSync(path.join(dir, f), 'x')
    const run = cli('backup', [], { BACKUP_DIR: dir, BACKUP_KEEP: '2' })
    expect(run.status, run.stderr).toBe(0)
    const kept = ours(dir)
    expect(kept).toHaveLength(2)
    // The one just written (newer than any 2020 name) and the newest of the rest.
    expect(kept[0]).toBe(old[2])
    expect(kept[1]! > old[2]!).toBe(true)
    for (const f of others) expect(readdirSync(dir)).toContain(f)
  }, 120_000)

  it('a failed backup exits non-zero with one line, names no password, and leaves no file', () => {
    const dir = path.join(work, 'failed')
    const secret = `pw-${randomBytes(6).toString('hex')}`
    const missing = new URL(base)
    missing.password = secret
    missing.pathname = `/nid_missing_${randomBytes(4).toString('hex')}`
    mkdirSync(dir)
    const run = cli('backup', ['--dir', dir], { DATABASE_URL: missing.toString() })
    expect(run.status).not.toBe(0)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/^backup failed: /)
    expect(run.stdout + run.stderr).not.toContain(secret)
    expect(readdirSync(dir)).toEqual([])
  }, 60_000)
})
