// Malformed input to every page: each GET query parameter and each path id, as a full page load
// and as the .pageContext.json request of client navigation, logged out and logged in. Payloads:
// 36 hyphens (PostgreSQL refuses it as a UUID), another user's ids, an uppercase UUID, a UUID with
// trailing garbage, NUL, broken percent-escapes, encoded lone surrogates, long strings, repeated
// and bracketed parameters, empty, '../..', unicode, SQL and JSON, out-of-range page numbers.
// No answer is a 5xx or shows a stack trace; a malformed or foreign path id is a 404; and the
// server's log holds no stack trace and no line at level error. The server is one of this file's
// own, so that every line of its log comes from these requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, LEAK, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, type RegisteredUser } from '../helpers/context.js'
import { logLines, serverForFile } from '../helpers/server.js'
import { verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())
const server = serverForFile({})
let victim: RegisteredUser
let user: RegisteredUser
let ids: { ownFolder: string; ownItem: string; sharedFolder: string; sharedItem: string; victimFolder: string; victimItem: string }
let loggedIn: Client
const loggedOut = new Client()

// What a page may answer to malformed input: the page, a redirect (a guard's 302 or our 303), a
// refusal (400, 403 for a view-only item's edit page, 404), 422 or 429. Never a 5xx.
const ALLOWED = [200, 302, 303, 400, 403, 404, 422, 429]
// Node's HTTP parser answers a request line over its 16 KB header limit itself (before the app).
const TOO_LONG = [414, 431]

const UUID_SHAPE = '00000000-0000-4000-8000-000000000000'
// Redirect targets off the app, for `next` (and every other parameter).
const OFF_SITE = ['//evil.example/x', 'https://evil.example', '/\\evil.example', '/%2F/evil.example', '/\t/evil.example']
// An expiry a day ahead, as in a verification link.
const FUTURE = Date.now() + 24 * 60 * 60 * 1000

interface Value {
  name: string
  /** As it appears in the URL: already percent-encoded, or deliberately not. */
  raw: string
}

/** Ids and tokens that are malformed or someone else's: for query parameters and path ids alike. */
function notYours(): Value[] {
  return [
    { name: '36 hyphens', raw: '-'.repeat(36) },
    // Shaped like a verification token (id.expiry.mac), with a valid expiry and a wrong id or mac.
    { name: 'token of 36 hyphens', raw: `${'-'.repeat(36)}.${FUTURE}.x` },
    { name: 'token of 36 hex digits', raw: `${'a'.repeat(36)}.${FUTURE}.x` },
    { name: "token with another user's id", raw: `${victim.user.id}.${FUTURE}.${'A'.repeat(43)}` },
    { name: 'token with an uppercase id and parts too many', raw: `${victim.user.id.toUpperCase()}.${FUTURE}.${'A'.repeat(43)}.x` },
    { name: 'token with a NUL in the id', raw: `${victim.user.id.slice(0, 35)}%00.${FUTURE}.x` },
    { name: "another user's item", raw: ids.victimItem },
    { name: "another user's folder", raw: ids.victimFolder },
  ]
}

/** Values for a query parameter (raw, as sent): everything a client can put after `=`. */
function queryValues(): Value[] {
  const e = encodeURIComponent
  return [
    ...notYours(),
    { name: 'own folder, uppercase', raw: ids.ownFolder.toUpperCase() },
    { name: 'own folder with trailing garbage', raw: `${ids.ownFolder}x` },
    { name: 'own folder with an encoded NUL', raw: `${ids.ownFolder}%00` },
    { name: 'a UUID nobody has', raw: UUID_SHAPE },
    { name: 'NUL', raw: '%00' },
    { name: 'invalid escape %ZZ', raw: '%ZZ' },
    { name: 'lone %', raw: '%' },
    { name: 'truncated UTF-8', raw: '%E0%A4%A' },
    { name: 'lone surrogate as UTF-8', raw: '%ED%A0%80' },
    { name: 'lone low surrogate as UTF-8', raw: '%ED%B0%80' },
    { name: '%u escape', raw: '%uD800' },
    { name: 'invalid UTF-8 bytes', raw: '%FF%FE%C3' },
    { name: 'CRLF and a header', raw: '%0D%0ASet-Cookie:%20x=1' },
    { name: '8 KB', raw: 'a'.repeat(8_000) },
    { name: 'empty', raw: '' },
    { name: 'dot dot', raw: '../..' },
    { name: 'encoded dot dot', raw: '..%2F..%2Fetc%2Fpasswd' },
    { name: 'unicode', raw: e('日本語 🔑 é ﷽') },
    { name: 'SQL', raw: e(`' OR 1=1; DROP TABLE users; --`) },
    { name: 'SQL on an id', raw: e(`${UUID_SHAPE}' OR '1'='1`) },
    { name: 'negative', raw: '-1' },
    { name: 'zero', raw: '0' },
    { name: '1e309', raw: '1e309' },
    { name: '99999999999', raw: '99999999999' },
    { name: 'huge integer', raw: '9'.repeat(400) },
    { name: 'fraction', raw: '1.5' },
    { name: 'hex', raw: '0x10' },
    { name: 'NaN', raw: 'NaN' },
    { name: 'JSON object', raw: e('{"$gt":"","__proto__":{"admin":true}}') },
    { name: 'JSON array', raw: e('[1,2,"x"]') },
    { name: '__proto__', raw: '__proto__' },
    { name: 'HTML', raw: e('<script>alert(1)</script>') },
    ...OFF_SITE.map((target) => ({ name: `off-site ${target}`, raw: e(target) })),
  ]
}

/** Values for a path id (one segment, raw, as sent). */
function pathValues(own: string): (Value & { own?: boolean })[] {
  const e = encodeURIComponent
  return [
    { name: 'own', raw: own, own: true },
    { name: 'own, uppercase', raw: own.toUpperCase(), own: true },
    ...notYours(),
    { name: 'a UUID nobody has', raw: UUID_SHAPE },
    { name: 'own with trailing garbage', raw: `${own}x` },
    { name: 'own with an encoded NUL', raw: `${own}%00` },
    { name: 'own with a trailing space', raw: `${own}%20` },
    { name: 'own in braces', raw: `%7B${own}%7D` },
    { name: 'own without hyphens', raw: own.replaceAll('-', '') },
    { name: 'NUL', raw: '%00' },
    { name: 'invalid escape %ZZ', raw: '%ZZ' },
    { name: 'truncated UTF-8', raw: '%E0%A4%A' },
    { name: 'lone surrogate as UTF-8', raw: '%ED%A0%80' },
    { name: 'invalid UTF-8 bytes', raw: '%FF%FE' },
    { name: 'encoded slash', raw: `..%2F..%2F${own}` },
    { name: '8 KB', raw: 'a'.repeat(8_000) },
    { name: 'unicode', raw: e('日本語🔑') },
    { name: 'SQL', raw: e(`' OR 1=1 --`) },
    { name: 'JSON', raw: e('{"id":1}') },
    { name: 'number', raw: '99999999999' },
  ]
}

// The values every parameter gets; the parameters a page turns into a lookup, a number or a
// redirect (FULL below) get all of queryValues().
const CORE = ['36 hyphens', 'token of 36 hyphens', "another user's item", 'own folder, uppercase', 'own folder with trailing garbage', 'NUL', 'invalid escape %ZZ', 'lone surrogate as UTF-8', '8 KB', 'empty', 'SQL', '1e309', 'JSON object', 'off-site //evil.example/x']

/**
 * The queries to send for one parameter: each value once (`?p=v`), and a few of them repeated
 * (`?p=a&p=v`, an array to most parsers) or in brackets (`?p[]=v`, `?p[x]=v`, arrays and objects
 * to qs-style parsers).
 */
function queries(param: string, full: boolean): { name: string; query: string }[] {
  const values = queryValues().filter((v) => full || CORE.includes(v.name))
  const some = values.filter((v) => ['36 hyphens', "another user's item", 'invalid escape %ZZ', '1e309'].includes(v.name)).slice(0, full ? 4 : 1)
  return [
    ...values.map((v) => ({ name: v.name, query: `${param}=${v.raw}` })),
    ...some.flatMap((v) => [
      { name: `${v.name}, repeated`, query: `${param}=a&${param}=${v.raw}` },
      { name: `${v.name}, repeated the other way`, query: `${param}=${v.raw}&${param}=a` },
      { name: `${v.name}, as p[]`, query: `${param}[]=${v.raw}` },
      { name: `${v.name}, as p[x]`, query: `${param}[x]=${v.raw}` },
    ]),
    { name: 'no value', query: param },
    { name: 'empty name', query: `=${param}` },
  ]
}

// Every page (pages/) with the query parameters it reads; `_vike` is read by Vike itself on a
// .pageContext.json request (on a page, nobody reads it), `q` by the layout on every vault page.
const COMMON = ['_vike']
const VAULT_COMMON = [...COMMON, 'q']
const LIST = [...VAULT_COMMON, 'page', 'sort', 'dir', 'filter']
type Template = { path: string; params: string[]; id?: 'folder' | 'item' | 'share' }
// Where a parameter becomes a lookup, a number, a search or a redirect target: every value, on the
// page itself (its .pageContext.json runs the same +data hook on the same parsed URL: CORE there).
const FULL = (template: Template, param: string) => ['page', 'folder', 'token', 'next'].includes(param) || (param === 'q' && LIST === template.params)
const TEMPLATES: Template[] = [
  { path: '/', params: COMMON },
  { path: '/login', params: [...COMMON, 'next'] },
  { path: '/login/2fa', params: COMMON },
  { path: '/register', params: [...COMMON, 'invite'] },
  { path: '/register/recovery-code', params: COMMON },
  { path: '/recover', params: COMMON },
  { path: '/verify', params: [...COMMON, 'token'] },
  { path: '/dashboard', params: LIST },
  { path: '/dashboard/folders/:id', params: LIST, id: 'folder' },
  { path: '/dashboard/folders/:id/delete', params: VAULT_COMMON, id: 'folder' },
  { path: '/dashboard/items/new', params: [...VAULT_COMMON, 'folder', 'type'] },
  { path: '/dashboard/items/:id', params: VAULT_COMMON, id: 'item' },
  { path: '/dashboard/items/:id/edit', params: VAULT_COMMON, id: 'item' },
  { path: '/dashboard/items/:id/delete', params: VAULT_COMMON, id: 'item' },
  { path: '/dashboard/trash', params: [...VAULT_COMMON, 'purge', 'confirm'] },
  { path: '/dashboard/shares', params: VAULT_COMMON },
  { path: '/dashboard/shares/:id/leave', params: VAULT_COMMON, id: 'share' },
  { path: '/dashboard/settings', params: VAULT_COMMON },
  { path: '/dashboard/settings/account', params: VAULT_COMMON },
  { path: '/dashboard/settings/appearance', params: VAULT_COMMON },
  { path: '/dashboard/settings/security', params: VAULT_COMMON },
  { path: '/dashboard/settings/devices', params: VAULT_COMMON },
  { path: '/dashboard/settings/data', params: VAULT_COMMON },
  { path: '/dashboard/settings/recovery-code', params: VAULT_COMMON },
  { path: '/dashboard/health', params: VAULT_COMMON },
  { path: '/dashboard/import', params: VAULT_COMMON },
  { path: '/dashboard/import/result', params: VAULT_COMMON },
  { path: '/dashboard/activity', params: [...VAULT_COMMON, 'kind', 'page'] },
  { path: '/dashboard/folders/:id/activity', params: [...VAULT_COMMON, 'kind', 'page'], id: 'folder' },
]

const ownId = (t: Template) => (t.id === 'item' ? ids.ownItem : t.id === 'share' ? ids.sharedFolder : ids.ownFolder)
const withId = (t: Template, id = ownId(t)) => t.path.replace(':id', id)
/** The URL client navigation fetches for a page: `<path>/index.pageContext.json?<query>`. */
const asPageContextJson = (path: string) => {
  const [pathname, query] = [path.split('?', 1)[0]!, path.includes('?') ? path.slice(path.indexOf('?')) : '']
  return `${pathname === '/' ? '' : pathname}/index.pageContext.json${query}`
}

let sent = 0
const REQUEST_ID = 'fuzz-get'

async function get(c: Client, path: string) {
  const res = await c.get(path, { server: server.origin, headers: { 'x-request-id': `${REQUEST_ID}-${++sent}` } })
  return { res, body: await res.text() }
}

/**
 * The problems with one answer (none when it is fine). Collected over a whole test rather than
 * failing at the first, so one run maps every weak spot.
 */
function problemsOf(where: string, res: Response, body: string, allowed = ALLOWED): string[] {
  const { status } = res
  const what = `${where}: ${status} ${textOf(body).slice(0, 120)}`
  const problems: string[] = []
  if (!allowed.includes(status)) problems.push(`status: ${what}`)
  // A redirect stays on this origin, whatever was in the URL (`next` above all).
  const location = res.headers.get('location')
  if (location !== null && !/^\/(?![/\\])/.test(location)) problems.push(`redirect off the app: ${where}: ${location.slice(0, 120)}`)
  if (LEAK.test(body)) problems.push(`leak: ${where}: ${body.match(LEAK)![0]}`)
  // A page that failed can still carry a 4xx status (a re-render): the text tells.
  if (textOf(body).includes('Something went wrong')) problems.push(`failed page: ${what}`)
  return problems
}

function expectNoProblems(problems: string[]) {
  expect(problems.length, problems.slice(0, 30).join('\n')).toBe(0)
}

/** Runs `tasks` a few at a time: enough to be quick, few enough for a shared 2-core machine. */
async function inBatches(tasks: (() => Promise<void>)[], width = 4) {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]!()
    }),
  )
}

beforeAll(async () => {
  victim = await verifiedUser(ctx, 'Fuzz Get Victim')
  user = await verifiedUser(ctx, 'Fuzz Get User')
  const { vault, sharing } = ctx.services
  const victimFolder = (await vault.createFolder(victim.viewer, 'Victim folder')).id
  const victimItem = (await vault.createItem(victim.viewer, { folderId: victimFolder, ...itemFields({ name: 'Victim item' }) })).id
  // A folder the victim shares with the user (view only): the leave page's id, and a 403 edit page.
  const sharedFolder = (await vault.createFolder(victim.viewer, 'Shared folder')).id
  const sharedItem = (await vault.createItem(victim.viewer, { folderId: sharedFolder, ...itemFields({ name: 'Shared item' }) })).id
  await sharing.invite(victim.viewer, sharedFolder, { email: user.email, permission: 'view' })
  await sharing.accept(user.viewer, sharedFolder)
  const ownFolder = (await vault.createFolder(user.viewer, 'Own folder')).id
  const ownItem = (await vault.createItem(user.viewer, { folderId: ownFolder, ...itemFields({ name: 'Own item' }) })).id
  ids = { ownFolder, ownItem, sharedFolder, sharedItem, victimFolder, victimItem }
  loggedIn = new Client()
  const login = await loggedIn.login(user.email, user.password, server.origin)
  expect(login.status, await login.text()).toBe(303)
}, 90_000)

const sessions = () =>
  [
    ['logged out', loggedOut],
    ['logged in', loggedIn],
  ] as const

describe('every query parameter of every page', () => {
  for (const template of TEMPLATES) {
    it(`${template.path} ?${template.params.join(' ?')}`, async () => {
      const tasks: (() => Promise<void>)[] = []
      const problems: string[] = []
      for (const [who, c] of sessions()) {
        for (const param of template.params) {
          const paths = [
            // Only a .pageContext.json request reads `_vike`; on a page it is an unknown parameter.
            ...(param === '_vike' ? [] : queries(param, FULL(template, param)).map((q) => ({ ...q, path: `${withId(template)}?${q.query}` }))),
            ...queries(param, false).map((q) => ({ ...q, path: asPageContextJson(`${withId(template)}?${q.query}`) })),
          ]
          for (const { name, path } of paths) {
            tasks.push(async () => {
              const { res, body } = await get(c, path)
              problems.push(...problemsOf(`${who} GET ${path.slice(0, 120)} (${param}: ${name})`, res, body))
            })
          }
        }
      }
      await inBatches(tasks)
      expectNoProblems(problems)
    }, 300_000)
  }

  it('a 100 KB value is refused before the app (431), for a page and its .pageContext.json', async () => {
    for (const [who, c] of sessions()) {
      for (const path of ['/dashboard?q=', '/dashboard/index.pageContext.json?q=', '/verify?token=']) {
        const { res, body } = await get(c, `${path}${'x'.repeat(100_000)}`)
        expectNoProblems(problemsOf(`${who} GET ${path}<100 KB>`, res, body, TOO_LONG))
      }
    }
  })
})

describe('the login page with an off-site next', () => {
  it('never carries it into its form: the action and the hidden field stay on this origin', async () => {
    for (const target of OFF_SITE) {
      const { res, body } = await get(loggedOut, `/login?next=${encodeURIComponent(target)}`)
      expect(res.status, target).toBe(200)
      const action = body.match(/<form[^>]*action="([^"]*)"[^>]*>[\s\S]*?name="email"/)?.[1] ?? ''
      const hidden = body.match(/<input[^>]*name="next"[^>]*value="([^"]*)"/)?.[1] ?? ''
      expect(action, target).toMatch(/^\/login(\?|$)/)
      for (const v of [decodeURIComponent(action.replace(/^\/login\??(next=)?/, '')), hidden]) {
        if (v) expect(v, target).toMatch(/^\/(?![/\\])/)
        expect(v, target).not.toContain('evil.example')
      }
    }
  })
})

describe("Vike's own _vike argument of a .pageContext.json request", () => {
  it('what Vike\'s client sends works; anything else is 400 (not a 500), however it is spelled', async () => {
    const valid = encodeURIComponent(JSON.stringify({ previousUrl: '/dashboard' }))
    const ok = await get(loggedIn, `/dashboard/index.pageContext.json?_vike=${valid}`)
    expect(ok.res.status).toBe(200)
    expect(ok.body).toContain('Own item')
    for (const path of [
      '/dashboard/health/index.pageContext.json?_vike=x',
      '/dashboard/health/index.pageContext.json?_vike=null',
      `/dashboard/health/index.pageContext.json?_vike=${encodeURIComponent('{"previousUrl":1}')}`,
      `/dashboard/health/index.pageContext.json?_vike=${valid}&_vike=%7B`,
      '/dashboard/health/index.pageContext.json?%5Fvike=x',
      '/dashboard/health/index%2EpageContext.json?_vike=x',
      '/index.pageContext.json?_vike=%ZZ',
    ]) {
      for (const [who, c] of sessions()) {
        const { res, body } = await get(c, path)
        expectNoProblems(problemsOf(`${who} GET ${path}`, res, body, [400]))
      }
    }
  })
})

describe('every path id of every page', () => {
  for (const template of TEMPLATES.filter((t) => t.id)) {
    it(template.path, async () => {
      const tasks: (() => Promise<void>)[] = []
      const problems: string[] = []
      for (const [who, c] of sessions()) {
        for (const v of pathValues(ownId(template))) {
          const page = withId(template, v.raw)
          for (const path of [page, asPageContextJson(page)]) {
            tasks.push(async () => {
              const { res, body } = await get(c, path)
              const where = `${who} GET ${path.slice(0, 120)} (${v.name})`
              problems.push(...problemsOf(where, res, body))
              if (path.includes('.pageContext.json')) return
              if (who === 'logged out') {
                // Sent to log in first (the guard), whatever the id: nothing is looked up.
                if (res.status !== 303 || !/^\/login\?next=/.test(res.headers.get('location') ?? '')) problems.push(`not sent to log in: ${where}: ${res.status}`)
              } else if (!v.own && res.status !== 404) {
                // A malformed or foreign id is a page that does not exist.
                problems.push(`not 404: ${where}: ${res.status} ${textOf(body).slice(0, 120)}`)
              }
            })
          }
        }
      }
      await inBatches(tasks)
      expectNoProblems(problems)
    }, 300_000)
  }

  it("another user's item and folder show nothing of theirs", async () => {
    for (const path of [`/dashboard/items/${ids.victimItem}`, `/dashboard/folders/${ids.victimFolder}`, `/dashboard/items/${ids.victimItem}/index.pageContext.json`]) {
      const { body } = await get(loggedIn, path)
      expect(body, path).not.toContain('Victim item')
      expect(body, path).not.toContain('Victim folder')
    }
  })
})

describe("the server's log after all of it", () => {
  it('holds no stack trace and no line at level error (or worse)', () => {
    const log = server.log()
    const lines = logLines(log)
    // Our requests reached it and were logged (the log is this file's server's alone).
    expect(lines.filter((l) => l.msg === 'request' && String(l.reqId).startsWith(REQUEST_ID)).length).toBeGreaterThan(1000)
    const errors = lines.filter((l) => l.level >= 50)
    expect(errors.map((l) => JSON.stringify(l).slice(0, 600)), 'error-level lines').toEqual([])
    // Vike prints what it catches as raw text, outside the JSON lines: none of that either.
    const raw = log.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'))
    expect(raw.join('\n').slice(0, 4000)).not.toMatch(/\bat \S|Error\b/)
    expect(log).not.toMatch(/\n\s+at [\w.<]|\\n\s+at [\w.<]/)
  })
})
