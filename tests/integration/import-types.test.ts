// Issue 23 (ADR 034): the item types in the other formats' files. LastPass cards, addresses and
// SSH keys (secure notes "NoteType:…") become cards, identities and SSH keys, every line with no
// field in the note; LastPass and Bitwarden CSV favourites are starred; Bitwarden CSV note rows are
// secure notes and its `fields` column custom fields; a KeePassXC cmd:// address does not refuse
// the file: it is kept in the note, said so. Read back through the JSON export (every field).
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestContext, registerUser, type RegisteredUser } from '../helpers/context.js'
import { personalId } from '../helpers/vault.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url))
type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const run = async (u: RegisteredUser, bytes: Buffer) => ctx.services.importer.importCsv(u.viewer, { bytes, format: 'detect', folderId: await personalId(ctx, u), keepFolders: true })
async function itemsOf(u: RegisteredUser) {
  const file = JSON.parse(JSON.stringify(await ctx.services.exporter.exportJson(u.viewer, u.password))) as Json
  return (name: string): Json => {
    const item = (file.items as Json[]).find((i) => i.name === name)!
    return { ...item, folder: file.folders.find((f: Json) => f.id === item.folderId)?.name ?? null }
  }
}

describe('the item types in other formats', () => {
  it('LastPass: a card, an address and an SSH key become their types; other lines stay in the note; fav stars', async () => {
    const u = await registerUser(ctx, 'Lastpass Types')
    expect(await run(u, fixture('lastpass-types.csv'))).toMatchObject({ format: 'LastPass', imported: 4, skipped: [], favourites: 1 })
    const item = await itemsOf(u)
    expect(item('Travel Visa')).toMatchObject({
      type: 3,
      favorite: true,
      folder: 'Cards',
      card: { cardholderName: "Zoë O'Brien", brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', code: '123' },
      notes: 'Travel card\ncall the bank first\n\nStart Date: January,2020',
    })
    expect(item('Home address')).toMatchObject({
      type: 4,
      folder: null,
      identity: { title: 'dr', firstName: 'Ada', middleName: null, lastName: 'Lovelace', username: 'ada', company: 'Engines, Ltd', address1: "12 St James's Square", city: 'London', state: 'Greater London', postalCode: 'SW1Y 4JH', country: 'GB', email: 'ada@example.com', phone: '2079460000' },
      notes: 'Gender: f\nBirthday: December,10,1815',
    })
    expect(item('Build key')).toMatchObject({
      type: 5,
      folder: 'Servers',
      sshKey: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----', publicKey: 'ssh-ed25519 AAAAC3Nza build@ci', keyFingerprint: null },
      notes: 'Bit Strength: 256\nFormat: ed25519\nPassphrase: open sesame\nHostname: ci.example.com',
    })
    expect(item('Server notes')).toMatchObject({ type: 2, notes: 'NoteType:Server\nHostname:db.internal', secureNote: { type: 0 } })
  })

  it('Bitwarden CSV: a note row is a secure note, `fields` are custom fields, `favorite` stars, further addresses stay addresses', async () => {
    const u = await registerUser(ctx, 'Bitwarden Csv Types')
    expect(await run(u, fixture('bitwarden.csv'))).toMatchObject({ imported: 3, favourites: 1 })
    const item = await itemsOf(u)
    expect(item('Mastodon')).toMatchObject({
      type: 1,
      favorite: true,
      notes: null,
      fields: [
        { name: 'recovery email', value: 'alt@example.com', type: 0, linkedId: null },
        { name: 'pin', value: '4821', type: 0, linkedId: null },
      ],
      login: { uris: [{ match: null, uri: 'https://social.example' }, { match: null, uri: 'https://m.social.example' }], username: 'octo@example.com', totp: 'JBSWY3DPEHPK3PXP' },
    })
    expect(item('Alarm code')).toMatchObject({ type: 2, favorite: false, notes: 'Front door: 1234\nBack door: 5678', secureNote: { type: 0 } })
  })

  it('KeePassXC: a cmd:// address no web address can be does not refuse the file; it is kept in the note', async () => {
    const u = await registerUser(ctx, 'Keepass Cmd')
    expect(await run(u, fixture('keepassxc-cmd.csv'))).toMatchObject({ imported: 2, skipped: [] })
    const item = await itemsOf(u)
    expect(item('Router shell')).toMatchObject({
      login: { uris: [], username: 'admin', password: 'Granite-Plume-Vector-11' },
      notes: 'Opens a shell\n\nWeb address (kept here: not one NucleusID can open): cmd://ssh admin@192.168.1.1',
    })
    expect(item('Router web').login.uris).toEqual([{ match: null, uri: 'http://192.168.1.1' }])
  })

  it('a Bitwarden organisation export: each item goes into a folder named after its (first) collection', async () => {
    const u = await registerUser(ctx, 'Org Export')
    const org = {
      encrypted: false,
      collections: [
        { id: 'c1', organizationId: 'o1', name: 'Engineering', externalId: null },
        { id: 'c2', organizationId: 'o1', name: 'Finance', externalId: null },
      ],
      items: [
        { id: 'i1', organizationId: 'o1', folderId: null, type: 1, reprompt: 0, name: 'CI', notes: null, favorite: false, login: { uris: [], username: 'ci', password: 'Org-Pass-1', totp: null }, collectionIds: ['c1', 'c2'], deletedDate: null },
        { id: 'i2', organizationId: 'o1', folderId: null, type: 2, reprompt: 0, name: 'Wire details', notes: 'IBAN', favorite: false, secureNote: { type: 0 }, collectionIds: ['c2'], deletedDate: null },
        { id: 'i3', organizationId: 'o1', folderId: null, type: 2, reprompt: 0, name: 'Loose', notes: 'x', favorite: false, secureNote: { type: 0 }, collectionIds: [], deletedDate: null },
      ],
    }
    expect(await run(u, Buffer.from(JSON.stringify(org)))).toMatchObject({ imported: 3, skipped: [] })
    const item = await itemsOf(u)
    expect(item('CI').folder).toBe('Engineering')
    expect(item('Wire details').folder).toBe('Finance')
    expect(item('Loose').folder).toBeNull()
  })
})
