// The item form over HTTP: the no-JavaScript Generate reads the gen_* options (and refuses bad
// ones with 422 beside them), the Website field is validated for form posts and JSON alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, csrfFrom, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser } from '../helpers/context.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

const JSON_HEADERS = { accept: 'application/json' }
let post: (form: Record<string, string>, json?: boolean) => Promise<Response>
let folderId: string

beforeAll(async () => {
  const u = await registerUser(ctx, 'Forms Http')
  folderId = (await ctx.services.vault.listFolders(u.viewer)).folders[0]!.id
  const c = new Client()
  expect((await c.login(u.email, u.password)).status).toBe(303)
  const token = csrfFrom(await (await c.get(`/dashboard/items/new?folder=${folderId}`)).text())
  post = (form, json = false) => c.request('/dashboard/items', { method: 'POST', form: { _csrf: token, folder_id: folderId, ...form }, headers: json ? JSON_HEADERS : {} })
})

const passwordIn = (html: string) => /name="password"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="password"/.exec(html)?.slice(1).find(Boolean) ?? ''

describe('no-JavaScript Generate', () => {
  it('makes a password of the chosen length and classes, and reports its strength', async () => {
    const res = await post({ ...itemFields({ name: 'Gen', password: '' }), generate: '1', gen_mode: 'characters', gen_length: '32', gen_lower: 'on', gen_digits: 'on' })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(passwordIn(html)).toMatch(/^[a-z0-9]{32}$/)
    expect(textOf(html)).toMatch(/Strength: (very weak|weak|good|strong) \([0-4] of 4\)/)
  })

  it('makes a passphrase of the chosen words and separator', async () => {
    const res = await post({ ...itemFields({ name: 'Gen' }), generate: '1', gen_mode: 'passphrase', gen_words: '6', gen_separator: '.' })
    expect(res.status).toBe(200)
    expect(passwordIn(await res.text())).toMatch(/^[a-z-]+(\.[a-z-]+){5}$/)
  })

  it('refuses options out of range or unknown with 422 and a message, keeping the values', async () => {
    for (const [form, message] of [
      [{ gen_mode: 'characters', gen_length: '7' }, 'Choose a length from 8 to 128.'],
      [{ gen_mode: 'characters', gen_length: 'lots' }, 'Choose a length from 8 to 128.'],
      [{ gen_mode: 'characters', gen_length: '20' }, 'Choose at least one kind of character.'],
      [{ gen_mode: 'passphrase', gen_words: '99' }, 'Choose from 3 to 12 words.'],
      [{ gen_mode: 'passphrase', gen_separator: '<' }, 'Choose a separator from the list.'],
      [{ gen_mode: 'sideways' }, 'Choose characters or words.'],
    ] as const) {
      const res = await post({ ...itemFields({ name: 'Kept name' }), generate: '1', ...form })
      expect(res.status, JSON.stringify(form)).toBe(422)
      const html = await res.text()
      expect(html).toContain(message)
      expect(html).toContain('value="Kept name"')
    }
  })
})

describe('Website', () => {
  it('refuses "not a url" (422 page and JSON), accepts a bare host', async () => {
    const page = await post(itemFields({ name: 'Bad', url: 'not a url' }))
    expect(page.status).toBe(422)
    expect(await page.text()).toContain('Enter a web address like example.com or https://example.com/login.')
    const json = await post(itemFields({ name: 'Bad', url: 'not a url' }), true)
    expect(json.status).toBe(422)
    expect(await json.json()).toMatchObject({ ok: false, errors: { url: expect.stringContaining('Enter a web address') } })
    expect((await post(itemFields({ name: 'Good', url: 'example.com' }))).status).toBe(303)
  })
})
