// An export is a user's backup: every field must read back as it was (issue 17, finding 7).
// csv-stringify with CRLF records quoted a field only when it held CRLF, a comma or a quote, so a
// note with a bare line break was written unquoted and the file could not be read back, here or
// anywhere. Each awkward value is tested ALONE, in one field of one item of its own vault (a broken
// row cannot hide behind or break another case), and read back two ways:
// - by a second, independent CSV parser: Python 3's csv module (strict), which every machine of
//   this project's kind has (python3 is part of the node-svc machine; CI runs on one);
// - by this app's importer (the service a POST /dashboard/import uses), into a fresh account.
// The values are those an item can hold (schemas/vault.ts): names and folder names are trimmed
// single lines; usernames and passwords single lines kept as typed; notes keep tabs and line
// breaks; web addresses are URLs without inner spaces.
import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { stringify } from 'csv-stringify/sync'
import { EXPORT_COLUMNS, EXPORT_CSV_OPTIONS, type ExportRecord } from '../../server/services/exporter.js'
import type { ItemFields } from '../../shared/contract.js'
import { Client, PASSWORD, csrfFrom } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { personalId } from '../helpers/vault.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

// Reads CSV from stdin as Python's csv module does (dialect excel, strict: a malformed file is an
// error, not a guess) and prints the rows as JSON. newline='' as the csv documentation requires,
// so a quoted CR or CRLF stays in the value.
const PYTHON_READER = `
import csv, io, json, sys
text = sys.stdin.buffer.read().decode('utf-8')
rows = list(csv.reader(io.StringIO(text, newline=''), strict=True))
sys.stdout.write(json.dumps(rows))
`

/** The file read by Python's csv module: a header row and records by column name. */
function readWithPython(csvText: string): { header: string[]; records: Record<string, string>[] } {
  const run = spawnSync('python3', ['-c', PYTHON_READER], { input: Buffer.from(csvText, 'utf8'), encoding: 'utf8', timeout: 30_000 })
  if (run.error) throw new Error(`python3 could not be started (${run.error.message}): it is part of every machine this project runs on`)
  if (run.status !== 0) throw new Error(`Python's csv module refused the export: ${run.stderr.trim().split('\n').pop()}`)
  const [header = [], ...rows] = JSON.parse(run.stdout) as string[][]
  return { header, records: rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]!])) as Record<string, string>) }
}

const awkwardText = {
  'a quote': 'say "hi"',
  'a lone quote': '"',
  'a comma': 'one, two',
  'a lone comma': ',',
  'a semicolon': 'a;b',
  'emoji': 'key 🔑🏳️‍🌈',
  'combining marks': 'Cafe\u0301 n\u0303',
  'right-to-left text': 'שלום עולם',
  'a formula': '=1+1',
  'a plus formula': '+SUM(A1)',
  'a lone hyphen': '-',
  'an at sign first': '@home',
}
/** What a single-line field kept as typed (username, password) can hold besides. */
const awkwardUntrimmed = {
  'leading and trailing spaces': '  padded  ',
  'a leading space': ' lead',
  'a trailing space': 'trail ',
  'only spaces': '   ',
}
/** What a note can hold besides. */
const awkwardNote = {
  'a bare LF': 'first line\nsecond line',
  'a bare CR': 'first line\rsecond line',
  'a CRLF': 'first line\r\nsecond line',
  'a trailing LF': 'ends with a break\n',
  'a leading LF': '\nstarts with a break',
  'only a LF': '\n',
  'blank lines': 'one\n\n\ntwo',
  'a tab inside': 'col1\tcol2',
  'tabs around': '\tindented\t',
  'LF and a quote': 'line "one"\nline two',
}
const awkwardUrl = {
  'a quote': 'https://example.com/?q="hi"',
  'non-ASCII host and path': 'https://café.example/ü/ß',
  'emoji in the path': 'https://example.com/🔑',
  'right-to-left path': 'https://example.com/שלום',
  'a formula-looking fragment': 'https://example.com/#=1+1',
  'no scheme': 'example.com/login',
  'an app URI': 'androidapp://com.example.app',
  'a comma': 'https://example.com/a,b?c=1,2',
  'leading and trailing spaces': ' https://example.com/padded ',
}

type Field = keyof ItemFields | 'folder'
const cases: { field: Field; label: string; value: string }[] = [
  ...Object.entries({ ...awkwardText }).map(([label, value]) => ({ field: 'folder' as const, label, value })),
  ...Object.entries({ ...awkwardText }).map(([label, value]) => ({ field: 'name' as const, label, value })),
  ...Object.entries({ ...awkwardText, ...awkwardUntrimmed }).map(([label, value]) => ({ field: 'username' as const, label, value })),
  ...Object.entries({ ...awkwardText, ...awkwardUntrimmed }).map(([label, value]) => ({ field: 'password' as const, label, value })),
  ...Object.entries({ ...awkwardText, ...awkwardUntrimmed, ...awkwardNote }).map(([label, value]) => ({ field: 'note' as const, label, value })),
  ...Object.entries(awkwardUrl).map(([label, value]) => ({ field: 'url' as const, label, value })),
]

const COLUMN: Record<Field, keyof ExportRecord> = {
  folder: 'folder',
  name: 'name',
  username: 'login_username',
  password: 'login_password',
  url: 'login_uri',
  note: 'notes',
}

/** A vault of one item whose `field` holds `value` (the other fields plain), and its export as CSV. */
async function exportOne(field: Field, value: string) {
  const from = await registerUser(ctx, 'Roundtrip From')
  const fields = itemFields({ name: 'Plain name', note: 'plain note', [field]: value })
  let folderId = await personalId(ctx, from)
  if (field === 'folder') folderId = (await ctx.services.vault.createFolder(from.viewer, value)).id
  await ctx.services.vault.createItem(from.viewer, { folderId, ...fields })
  const records = await ctx.services.exporter.exportVault(from.viewer, from.password)
  expect(records).toHaveLength(1)
  // The same writer and options the route streams with (server/routes/export.ts).
  const text = stringify(records!, EXPORT_CSV_OPTIONS)
  return { fields, folderName: field === 'folder' ? value : '', text }
}

/** Every item a user owns, decrypted one by one (getItem, not the exporter), with its folder. */
async function itemsOf(u: RegisteredUser) {
  const rows = await ctx.sequelize.query<{ id: string }>(
    'SELECT i.id FROM items i JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = :userId ORDER BY i.created_at',
    { replacements: { userId: u.user.id }, type: QueryTypes.SELECT },
  )
  const items = await Promise.all(rows.map((r) => ctx.services.vault.getItem(u.viewer, r.id)))
  return items.map((i) => ({ folder: i.folderName, ...i.fields }))
}

describe('every awkward value, alone in its field, reads back as it was', () => {
  it.each(cases)("$field with $label: Python's csv module reads it back exactly, and this app's importer into a new account", async ({ field, value }) => {
    const { fields, folderName, text } = await exportOne(field, value)

    const { header, records } = readWithPython(text)
    expect(header).toEqual([...EXPORT_COLUMNS])
    expect(records).toHaveLength(1)
    expect(records[0]![COLUMN[field]]).toBe(value)
    expect(records[0]).toEqual({
      folder: folderName,
      favorite: '',
      type: 'login',
      name: fields.name,
      notes: fields.note,
      fields: '',
      reprompt: '0',
      login_uri: fields.url,
      login_username: fields.username,
      login_password: fields.password,
      login_totp: '',
    })

    // A comma in a web address: see the test below.
    if (field === 'url' && value.includes(',')) return
    const to = await registerUser(ctx, 'Roundtrip To')
    const result = await ctx.services.importer.importCsv(to.viewer, { bytes: Buffer.from(text, 'utf8'), format: 'detect', folderId: await personalId(ctx, to), keepFolders: true })
    expect(result.imported).toBe(1)
    expect(result.skipped).toEqual([])
    // Two changes the importer makes on purpose (docs/features/import.md): line ends are written as \n
    // (a note's CR or CRLF comes back as a line break all the same) and a web address is trimmed.
    // Everything else comes back character for character.
    const note = field === 'note' ? value.replace(/\r\n?/g, '\n') : fields.note
    expect(await itemsOf(to)).toEqual([{ folder: folderName || 'Personal', ...fields, url: fields.url.trim(), note }])
    // Two registrations, an item and an import, each password scored on the strength pool: on a
    // loaded two-core machine the first case (the pool starting) can take longer than 30 s.
  }, 120_000)

  // KNOWN LOSS, in the importer (not the file: Python reads this export back exactly, above). The
  // Bitwarden mapping splits login_uri on every comma (Bitwarden writes several URIs so), so
  // "https://example.com/a,b?c=1,2" comes back as "https://example.com/a" and the rest in the
  // note. Reported with issue 17; \`it.fails\` turns red once the importer keeps such an address.
  it.fails("url with a comma: this app's importer gives the same address back", async () => {
    const value = 'https://example.com/a,b?c=1,2'
    const { text } = await exportOne('url', value)
    const to = await registerUser(ctx, 'Roundtrip To')
    await ctx.services.importer.importCsv(to.viewer, { bytes: Buffer.from(text, 'utf8'), format: 'nucleusid', folderId: await personalId(ctx, to), keepFolders: true })
    expect((await itemsOf(to))[0]!.url).toBe(value)
  }, 120_000)
})

describe('the file as downloaded', () => {
  it('POST /dashboard/export writes a bare line break quoted, and both readers get the note back', async () => {
    const c = new Client()
    const account = await c.register('Roundtrip Http')
    const token = csrfFrom(await (await c.get('/dashboard/settings')).text())
    const { user, vaultKey } = (await ctx.services.users.authenticate(account.email, PASSWORD))!
    const viewer = { userId: user.id, vaultKey }
    const personal = (await ctx.models.Folder.findOne({ where: { ownerId: user.id, isPersonal: true } }))!.id
    const notes = ['line one\nline two', 'cr\ronly', 'padded ', '\ttab']
    for (const [i, note] of notes.entries()) await ctx.services.vault.createItem(viewer, { folderId: personal, ...itemFields({ name: `Note ${i}`, note }) })

    const res = await c.request('/dashboard/export', { method: 'POST', form: { _csrf: token, password: PASSWORD } })
    expect(res.status).toBe(200)
    const text = await res.text()
    // The record separator stays CRLF; the line break inside the note is quoted.
    expect(text).toContain('"line one\nline two"')
    expect(text).toContain('"cr\ronly"')
    expect(readWithPython(text).records.map((r) => r.notes)).toEqual(notes)

    const to = await registerUser(ctx, 'Roundtrip Http To')
    const result = await ctx.services.importer.importCsv(to.viewer, { bytes: Buffer.from(text, 'utf8'), format: 'nucleusid', folderId: await personalId(ctx, to), keepFolders: true })
    expect(result.imported).toBe(notes.length)
    // One import writes its rows in one statement (one created_at): their order is the names'.
    const imported = (await itemsOf(to)).sort((a, b) => a.name.localeCompare(b.name))
    expect(imported.map((i) => i.note)).toEqual(notes.map((n) => n.replace(/\r\n?/g, '\n')))
  }, 120_000)
})

// Authenticator keys (issue 21, ADR 030): written to login_totp, read back exactly by two
// independent readers (Python's csv module and csv-parse), and imported back into the key field.
describe('authenticator keys', () => {
  /** An otpauth link whose label and issuer hold `text`, with every parameter otpauth honours. */
  const link = (text: string) =>
    `otpauth://totp/${encodeURIComponent(text)}:${encodeURIComponent('a@b.example')}?secret=JBSWY3DPEHPK3PXP&issuer=${encodeURIComponent(text)}&algorithm=SHA512&digits=7&period=45`
  const keys = {
    'a base32 secret': 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    // Each awkward value alone in the label and issuer, as the other fields are tested above.
    ...Object.fromEntries(Object.entries(awkwardText).map(([label, text]) => [`an otpauth link with ${label}`, link(text)])),
    'an otpauth link with a comma, quotes, emoji and right-to-left text together': link('ACME, "Inc" 🔑 שלום'),
  }
  it.each(Object.entries(keys))('%s reads back as it was, and imports into the key', async (_label, typed) => {
    const { parse } = await import('csv-parse/sync')
    const { parseTotpKey } = await import('../../shared/totp.js')
    const from = await registerUser(ctx, 'Roundtrip Totp')
    const stored = parseTotpKey(typed)!.stored
    await ctx.services.vault.createItem(from.viewer, { folderId: await personalId(ctx, from), ...itemFields({ name: 'Has a key' }), totp: stored }) // as the item form's schema stores it
    const records = await ctx.services.exporter.exportVault(from.viewer, from.password)
    const text = stringify(records!, EXPORT_CSV_OPTIONS)
    expect(readWithPython(text).records[0]!.login_totp).toBe(stored)
    const parsed = parse(text, { columns: true, bom: true }) as Record<string, string>[]
    expect(parsed[0]!.login_totp).toBe(stored)
    expect(parsed[0]!.notes).toBe('')
    const to = await registerUser(ctx, 'Roundtrip Totp To')
    const result = await ctx.services.importer.importCsv(to.viewer, { bytes: Buffer.from(text, 'utf8'), format: 'detect', folderId: await personalId(ctx, to), keepFolders: true })
    expect(result.imported).toBe(1)
    const [id] = await ctx.sequelize.query<{ id: string }>('SELECT i.id FROM items i JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = :userId', { replacements: { userId: to.user.id }, type: QueryTypes.SELECT })
    const item = await ctx.services.vault.getItem(to.viewer, id!.id)
    expect(item.totp).toBe(stored)
    expect(item.fields.note).toBe('')
    // The issuer as typed, character for character, once the link is decoded.
    if (typed.startsWith('otpauth')) expect(decodeURIComponent(item.totp)).toContain(`issuer=${new URL(typed).searchParams.get('issuer')}`)
  }, 120_000)
})
