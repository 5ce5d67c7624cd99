// Item types (issue 23, ADR 035) over HTTP, as a browser without JavaScript sends them: every
// type is created and read back field for field; its page holds no secret until that one field
// is asked for (?reveal=), and copy gives exactly that field; the list and its index never hold a
// secret of any type; the form's no-JavaScript steps (a custom field more or less, a web address
// more, a new SSH key) keep what was typed; bad input gets a message beside the field.
import { createHash, createPublicKey } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_URL, expectStatus, JSON_HEADERS, session, textOf } from '../helpers/http.js'
import { createTestContext, registerUser, type RegisteredUser } from '../helpers/context.js'
import { folderKeyOf, personalId, seedItems } from '../helpers/vault.js'
import { decryptItem } from '../../server/services/itemCrypto.js'
import * as crypto from '../../server/lib/crypto.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

type Session = Awaited<ReturnType<typeof session>>

/** A form with repeated fields (several `url`, custom fields), posted like a browser: `http.post` takes one value per name. */
function postForm(http: Session, path: string, fields: [string, string][], json = false) {
  const body = new URLSearchParams([['_csrf', http.token], ...fields]).toString()
  return http.raw(path, body, 'application/x-www-form-urlencoded', { origin: BASE_URL, ...(json ? JSON_HEADERS : {}) })
}
const idFrom = (res: Response) => res.headers.get('location')!.split('/').pop()!

const SECRETS = {
  number: '4242 4242 4242 4242',
  code: '917',
  passport: 'P-55501-Z',
  licence: 'LIC-77733',
  nationalId: 'NID-31337-Q',
  hidden: 'hidden-pin-8642',
}

const customFields = (): [string, string][] => [
  ['field_name', 'Account no'], ['field_value', 'AC-1001'], ['field_kind', 'text'],
  ['field_name', 'PIN'], ['field_value', SECRETS.hidden], ['field_kind', 'hidden'],
  ['field_name', 'Paperless'], ['field_value', 'true'], ['field_kind', 'checkbox'],
]

describe('item types over HTTP', () => {
  let u: RegisteredUser
  let folder: string
  let http: Session
  const ids: Record<string, string> = {}
  let sshKey: { privateKey: string; publicKey: string }

  beforeAll(async () => {
    u = await registerUser(ctx, 'Types Owner')
    folder = await personalId(ctx, u)
    http = await session(u)
  })

  it('creates a card, an identity, a note and a login with several addresses, each read back field for field', async () => {
    let res = await postForm(http, '/dashboard/items', [
      ['folder_id', folder], ['type', 'card'], ['name', 'Joint Visa'], ['cardholder', 'Ada Lovelace'], ['card_number', SECRETS.number],
      ['exp_month', '04'], ['exp_year', '2031'], ['card_code', SECRETS.code], ['note', 'Bank: Example'], ...customFields(),
    ])
    expect(res.status, textOf(await res.clone().text()).slice(0, 200)).toBe(303)
    ids.card = idFrom(res)
    const card = await vault.getItem(u.viewer, ids.card)
    expect(card.type).toBe('card')
    expect(card.card).toEqual({ cardholder: 'Ada Lovelace', number: SECRETS.number, brand: 'Visa', expMonth: '4', expYear: '2031', code: SECRETS.code })
    expect(card.customFields).toEqual([
      { name: 'Account no', value: 'AC-1001', kind: 'text' },
      { name: 'PIN', value: SECRETS.hidden, kind: 'hidden' },
      { name: 'Paperless', value: 'true', kind: 'checkbox' },
    ])
    expect(card.fields).toMatchObject({ username: '', password: '', url: '', note: 'Bank: Example' })

    res = await postForm(http, '/dashboard/items', [
      ['folder_id', folder], ['type', 'identity'], ['name', 'Me'], ['title', 'Dr'], ['first_name', 'Ada'], ['last_name', 'Lovelace'],
      ['company', 'Analytical Engines'], ['email', 'ada@example.test'], ['phone', '+44 20 7946 0000'], ['address1', '12 St James’s Square'],
      ['city', 'Marylebone'], ['region', 'London'], ['postal_code', 'SW1Y 4JH'], ['country', 'United Kingdom'], ['username', 'ada'],
      ['passport', SECRETS.passport], ['licence', SECRETS.licence], ['national_id', SECRETS.nationalId],
    ])
    expect(res.status).toBe(303)
    ids.identity = idFrom(res)
    expect((await vault.getItem(u.viewer, ids.identity)).identity).toMatchObject({ title: 'Dr', firstName: 'Ada', city: 'Marylebone', postalCode: 'SW1Y 4JH', passport: SECRETS.passport, nationalId: SECRETS.nationalId })

    res = await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'note'], ['name', 'Wi-Fi'], ['note', 'SSID: home\nKey: 😀 “quoted”, comma']])
    expect(res.status).toBe(303)
    ids.note = idFrom(res)
    expect((await vault.getItem(u.viewer, ids.note)).fields.note).toBe('SSID: home\nKey: 😀 “quoted”, comma')

    res = await postForm(http, '/dashboard/items', [
      ['folder_id', folder], ['type', 'login'], ['name', 'Forge'], ['username', 'ada'], ['password', 'Harbor-Quartz-Lantern-83!'],
      ['url', 'forge.example'], ['url', ''], ['url', 'https://git.forge.example/login'], ['url', 'androidapp://example.forge'],
    ])
    expect(res.status).toBe(303)
    ids.login = idFrom(res)
    const login = await vault.getItem(u.viewer, ids.login)
    expect(login.fields.url).toBe('forge.example')
    expect(login.moreUrls).toEqual(['https://git.forge.example/login', 'androidapp://example.forge'])
  })

  it('generates an SSH key without JavaScript (a form step), and saves it with the fingerprint node:crypto gives', async () => {
    const step = await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'ssh'], ['name', 'Laptop'], ['note', 'kept'], ['generate_key', '1']])
    const html = await expectStatus(step, 200, 'generate step')
    const privateKey = /<textarea[^>]*name="private_key"[^>]*>([^<]+)<\/textarea>/.exec(html)?.[1]?.replace(/&#10;|&#x0a;/gi, '\n')
    const publicKey = /name="public_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="public_key"/.exec(html)
    expect(privateKey).toContain('BEGIN OPENSSH PRIVATE KEY')
    expect(html).toContain('>kept</textarea>') // what was typed is kept
    sshKey = { privateKey: privateKey!, publicKey: (publicKey?.[1] ?? publicKey?.[2])! }
    expect(sshKey.publicKey).toMatch(/^ssh-ed25519 /)
    const res = await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'ssh'], ['name', 'Laptop'], ['private_key', sshKey.privateKey], ['public_key', ''], ['fingerprint', 'SHA256:typed']])
    expect(res.status, textOf(await res.clone().text()).slice(0, 300)).toBe(303)
    ids.ssh = idFrom(res)
    const item = await vault.getItem(u.viewer, ids.ssh)
    // The raw Ed25519 key as node:crypto reads it from the public key line, fingerprinted as OpenSSH does.
    const blob = Buffer.from(sshKey.publicKey.split(' ')[1]!, 'base64')
    const raw = blob.subarray(-32)
    const jwkKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
    expect(jwkKey.asymmetricKeyType).toBe('ed25519')
    expect(item.ssh!.fingerprint).toBe(`SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`)
    expect(item.ssh!.publicKey).toBe(sshKey.publicKey)
  })

  it('an item page holds no secret until that one field is revealed; reveal pages are never cached', async () => {
    const secretsOf: Record<string, [string, string][]> = {
      card: [['card_number', SECRETS.number], ['card_code', SECRETS.code], ['field_1', SECRETS.hidden]],
      identity: [['passport', SECRETS.passport], ['licence', SECRETS.licence], ['national_id', SECRETS.nationalId]],
      ssh: [['private_key', 'OPENSSH PRIVATE KEY']],
    }
    for (const [type, secrets] of Object.entries(secretsOf)) {
      const plain = await (await http.get(`/dashboard/items/${ids[type]}`)).text()
      for (const [, value] of secrets) expect(plain, `${type} page holds ${value}`).not.toContain(value)
      for (const [field, value] of secrets) {
        const res = await http.get(`/dashboard/items/${ids[type]}?reveal=${field}`)
        expect(res.headers.get('cache-control')).toMatch(/no-store/)
        const html = await res.text()
        expect(html, `${type} ?reveal=${field}`).toContain(value)
        // Only the field asked for.
        for (const [other, otherValue] of secrets) if (other !== field) expect(html).not.toContain(otherValue)
      }
    }
    const card = textOf(await (await http.get(`/dashboard/items/${ids.card}`)).text())
    expect(card).toContain('•••• 4242')
    expect(card).toContain('04/2031')
    expect(card).toContain('AC-1001') // a text custom field is not secret
  })

  it('copy gives exactly the field asked for, of any type; an unknown or another type’s field is 422', async () => {
    const cases: [string, string, string][] = [
      [ids.card!, 'card_number', SECRETS.number],
      [ids.card!, 'card_code', SECRETS.code],
      [ids.card!, 'field_1', SECRETS.hidden],
      [ids.identity!, 'passport', SECRETS.passport],
      [ids.identity!, 'licence', SECRETS.licence],
      [ids.identity!, 'national_id', SECRETS.nationalId],
      [ids.identity!, 'username', 'ada'],
      [ids.ssh!, 'private_key', sshKey.privateKey],
    ]
    for (const [id, field, value] of cases) {
      const res = await http.post(`/dashboard/items/${id}/copy`, { field }, { json: true })
      expect(res.status, field).toBe(200)
      expect(res.headers.get('cache-control')).toMatch(/no-store/)
      expect((await res.json()).value).toBe(value)
    }
    for (const [id, field] of [[ids.card!, 'password'], [ids.card!, 'field_9'], [ids.login!, 'card_number'], [ids.card!, 'ciphertext']] as const) {
      expect((await http.post(`/dashboard/items/${id}/copy`, { field }, { json: true })).status, field).toBe(422)
    }
  })

  it('the list shows each type’s own line and never a secret; it filters by type and searches non-secret fields', async () => {
    const html = await (await http.get('/dashboard')).text()
    for (const secret of [...Object.values(SECRETS), '4242 4242', 'OPENSSH']) expect(html, secret).not.toContain(secret)
    const page = await vault.listVault(u.viewer)
    const line = Object.fromEntries(page.items.map((r) => [r.name, r.username]))
    expect(line['Joint Visa']).toBe('Visa •••• 4242')
    expect(line.Me).toBe('Dr Ada Lovelace')
    expect(line.Laptop).toMatch(/^SHA256:/)
    expect(line['Wi-Fi']).toBe('')
    expect(page.counts.types).toEqual({ card: 1, identity: 1, note: 1, login: 1, ssh: 1 })
    expect((await vault.listVault(u.viewer, { type: 'card' })).items.map((r) => r.name)).toEqual(['Joint Visa'])
    expect(textOf(await (await http.get('/dashboard?type=identity')).text())).toContain('1 identity')
    const names = async (q: string) => (await vault.listVault(u.viewer, { q })).items.map((r) => r.name)
    expect(await names('marylebone')).toEqual(['Me'])
    expect(await names('git.forge')).toEqual(['Forge'])
    expect(await names('AC-1001')).toEqual(['Joint Visa'])
    expect(await names(SECRETS.hidden)).toEqual([])
    expect(await names('P-55501')).toEqual([])

    // The folder's list index (what a first view decrypts) holds none of the secrets either.
    const key = await folderKeyOf(ctx, u, folder)
    const [row] = await ctx.sequelize.query<{ list_index: Buffer }>('SELECT list_index FROM folders WHERE id = :folder', { replacements: { folder }, type: 'SELECT' as never })
    const parsed = crypto.decryptJson(key, row!.list_index, crypto.folderIndexAad(folder)) as { items: unknown[][] }
    // The text each entry carries (name, list line, search text, address): the digest, ids, tokens
    // and times are random or numeric, and a 3-digit code may turn up in them by chance.
    const index = JSON.stringify(parsed.items.map((entry) => entry.slice(2, 6)))
    expect(index).toContain('Marylebone')
    for (const secret of [...Object.values(SECRETS), 'OPENSSH', 'Harbor-Quartz']) expect(index).not.toContain(secret)
  })

  it('an expired card is on the health page', async () => {
    const res = await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'card'], ['name', 'Old card'], ['card_number', '5555555555554444'], ['exp_month', '1'], ['exp_year', '2020']])
    expect(res.status).toBe(303)
    const health = await vault.listHealth(u.viewer)
    expect(health.expired.map((r) => r.name)).toEqual(['Old card'])
    expect(textOf(await (await http.get('/dashboard/health')).text())).toMatch(/Expired cards\s*1[\s\S]*Old card[\s\S]*expired 01\/2020/)
  })

  it('the no-JavaScript steps add and remove custom fields and web addresses, keeping everything typed', async () => {
    const base: [string, string][] = [['folder_id', folder], ['type', 'login'], ['name', 'Typed name'], ['password', 'Kept-Password-9!'], ...customFields()]
    let html = await expectStatus(await postForm(http, '/dashboard/items', [...base, ['add_field', 'hidden']]), 200, 'add field')
    expect(html.match(/name="field_name"/g)).toHaveLength(4)
    expect(html).toContain('value="Typed name"')
    expect(html).toContain('value="Kept-Password-9!"')
    expect(html).toContain(`value="${SECRETS.hidden}"`)
    html = await expectStatus(await postForm(http, '/dashboard/items', [...base, ['remove_field', '0']]), 200, 'remove field')
    expect(html.match(/name="field_name"/g)).toHaveLength(2)
    expect(html).not.toContain('value="Account no"')
    html = await expectStatus(await postForm(http, '/dashboard/items', [...base, ['url', 'one.example'], ['add_url', '1']]), 200, 'add url')
    expect(html.match(/name="url"/g)).toHaveLength(2)
    expect(html).toContain('value="one.example"')
  })

  it('refuses bad input beside the field and saves nothing: an unknown type, 1,000 custom fields, an invalid SSH key, a changed type', async () => {
    const before = await ctx.models.Item.count({ where: { folderId: folder } })
    let html = await expectStatus(await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'spaceship'], ['name', 'X']]), 422, 'type')
    expect(textOf(html)).toContain('Choose a login, secure note, card, identity or SSH key.')
    const many = Array.from({ length: 1000 }, (_, i): [string, string][] => [['field_name', `f${i}`], ['field_value', 'v'], ['field_kind', 'text']]).flat()
    html = await expectStatus(await postForm(http, '/dashboard/items', [['folder_id', folder], ['name', 'Many'], ...many]), 422, 'many fields')
    expect(textOf(html)).toContain('at most 100 custom fields')
    html = await expectStatus(await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'ssh'], ['name', 'Bad key'], ['private_key', '-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n-----END OPENSSH PRIVATE KEY-----']]), 422, 'ssh')
    expect(html).toMatch(/id="[^"]+-error"[^>]*>This is not a private key we can read/)
    const json = await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'card'], ['name', 'X'], ['card_number', '12ab']], true)
    expect(json.status).toBe(422)
    expect((await json.json()).errors).toEqual({ card_number: 'A card number is digits only.' })
    expect(await ctx.models.Item.count({ where: { folderId: folder } })).toBe(before)
    // An item keeps its type.
    html = await expectStatus(await postForm(http, `/dashboard/items/${ids.card}`, [['type', 'login'], ['name', 'Now a login']]), 422, 'type change')
    expect(textOf(html)).toContain('An item keeps its type')
    expect((await vault.getItem(u.viewer, ids.card!)).type).toBe('card')
  })

  it('a card number failing its checksum is saved, with a warning', async () => {
    const res = await postForm(http, '/dashboard/items', [['folder_id', folder], ['type', 'card'], ['name', 'Typo card'], ['card_number', '4242 4242 4242 4241']])
    expect(res.status).toBe(303)
    const page = textOf(await (await http.get(res.headers.get('location')!)).text())
    expect(page).toContain('fails the checksum')
  })

  it('edit, history restore, clone and move keep the type’s data', async () => {
    let res = await postForm(http, `/dashboard/items/${ids.card}`, [['type', 'card'], ['name', 'Joint Visa'], ['cardholder', 'A. Lovelace'], ['card_number', SECRETS.number], ['exp_month', '5'], ['exp_year', '2032'], ['card_code', SECRETS.code]])
    expect(res.status).toBe(303)
    expect((await vault.getItem(u.viewer, ids.card!)).card).toMatchObject({ cardholder: 'A. Lovelace', expMonth: '5' })
    const { versions } = await vault.listVersions(u.viewer, ids.card!)
    expect(versions[0]!.changed).toEqual(expect.arrayContaining(['card', 'custom fields']))
    await vault.restoreVersion(u.viewer, ids.card!, versions[0]!.id)
    const restored = await vault.getItem(u.viewer, ids.card!)
    expect(restored.card).toMatchObject({ cardholder: 'Ada Lovelace', expMonth: '4' })
    expect(restored.customFields).toHaveLength(3)
    const { id: copyId } = await vault.cloneItem(u.viewer, ids.identity!)
    expect((await vault.getItem(u.viewer, copyId)).identity).toEqual((await vault.getItem(u.viewer, ids.identity!)).identity)
    const other = await vault.createFolder(u.viewer, 'Travel')
    await vault.moveItem(u.viewer, ids.ssh!, other.id)
    const moved = await vault.getItem(u.viewer, ids.ssh!)
    expect(moved.ssh!.privateKey).toBe(sshKey.privateKey)
    res = await http.get(`/dashboard/items/${ids.ssh}`)
    expect(res.status).toBe(200)
  })

  it('a replaced password joins the login’s earlier passwords: listed by date on its history page, each revealed alone', async () => {
    const res = await postForm(http, `/dashboard/items/${ids.login}`, [['type', 'login'], ['name', 'Forge'], ['username', 'ada'], ['password', 'Brand-New-Lantern-99!'], ['url', 'forge.example']])
    expect(res.status).toBe(303)
    const { passwordHistory } = await vault.getItem(u.viewer, ids.login!)
    expect(passwordHistory.map((h) => h.password)).toEqual(['Harbor-Quartz-Lantern-83!'])
    const page = await (await http.get(`/dashboard/items/${ids.login}/history`)).text()
    expect(textOf(page)).toContain('Earlier passwords')
    expect(page).not.toContain('Harbor-Quartz-Lantern-83!')
    const revealed = await http.get(`/dashboard/items/${ids.login}/history?reveal=old_0`)
    expect(revealed.headers.get('cache-control')).toMatch(/no-store/)
    expect(await revealed.text()).toContain('Harbor-Quartz-Lantern-83!')
    const copy = await http.post(`/dashboard/items/${ids.login}/copy`, { field: 'old_0' }, { json: true })
    expect((await copy.json()).value).toBe('Harbor-Quartz-Lantern-83!')
    expect((await http.post(`/dashboard/items/${ids.login}/copy`, { field: 'old_1' }, { json: true })).status).toBe(422)
  })

  it('an item written before item types reads as a login, and its first save keeps it one', async () => {
    const [id] = await seedItems(ctx, u, folder, [{ name: 'Legacy', username: 'old', password: 'Legacy-Password-51!', url: 'legacy.example', note: '' }])
    const item = await vault.getItem(u.viewer, id!)
    expect(item).toMatchObject({ type: 'login', moreUrls: [], customFields: [], card: null })
    const key = await folderKeyOf(ctx, u, folder)
    const row = await ctx.models.Item.findByPk(id!)
    expect(decryptItem(key, id!, folder, row!.ciphertext)!.type).toBe('login')
    expect((await vault.listVault(u.viewer, { type: 'login' })).items.map((r) => r.name)).toContain('Legacy')
  })
})
