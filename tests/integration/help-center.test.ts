// The help center and the public pages over HTTP (issue 22, ADR 031): no session and no SQL, one
// shared copy with an ETag for anonymous visitors, a search that works as a plain GET, a 404 with a
// way back, and every link of every article leading to a page that exists.
import { afterAll, describe, expect, it } from 'vitest'
import { Client, textOf } from '../helpers/http.js'
import { serverForFile } from '../helpers/server.js'
import { createTestContext, registerUser } from '../helpers/context.js'
import { dbQueries } from '../../bench/http.js'
import { createHelpCenter } from '../../server/services/helpCenter.js'

// A server of its own, so the SQL statements counted are this file's alone.
const server = serverForFile({ WEB_CONCURRENCY: '1' })
const help = createHelpCenter()
const PUBLIC = ['/', '/support', '/about', '/privacy', '/terms', ...help.articles().map((a) => `/support/${a.slug}`)]
const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' })

async function sqlDuring(run: () => Promise<void>) {
  const before = await dbQueries(server.url)
  await run()
  return (await dbQueries(server.url)) - before
}

describe('public pages for a visitor without a session', () => {
  it('are one shared copy: no cookie set, an ETag, a few minutes of caching, 304 when unchanged', async () => {
    for (const path of PUBLIC) {
      const first = await get(path)
      expect(first.status, path).toBe(200)
      const html = await first.text()
      expect(first.headers.getSetCookie(), path).toEqual([])
      expect(first.headers.get('cache-control'), path).toBe('public, max-age=300')
      expect(first.headers.get('vary'), path).toMatch(/Cookie/)
      const etag = first.headers.get('etag')!
      expect(etag, path).toMatch(/^"[\w-]{20,}"$/)
      // The scripts carry the nonce the policy names, in the first answer and in every later one.
      const nonce = /'nonce-([\w-]+)'/.exec(first.headers.get('content-security-policy') ?? '')?.[1]
      expect(html, path).toContain(`nonce="${nonce}"`)
      // As a browser revalidates (fetch() would add `Cache-Control: no-cache`, which asks for the body).
      const again = await get(path, { 'if-none-match': etag, 'cache-control': 'max-age=0' })
      expect(again.status, path).toBe(304)
      expect(again.headers.get('content-security-policy'), path).toBe(first.headers.get('content-security-policy'))
      const changed = await get(path, { 'if-none-match': '"something-else"', 'cache-control': 'max-age=0' })
      expect(changed.status, path).toBe(200)
      expect(await changed.text(), path).toBe(html)
    }
  })

  it('read no SQL, for a visitor without a session and for a logged-in one', async () => {
    const user = await registerUser(ctx, 'help-reader')
    const c = new Client()
    expect((await c.login(user.email, user.password, server.origin)).status).toBe(303)
    const anonymous = await sqlDuring(async () => {
      for (const path of [...PUBLIC, '/support?q=import']) expect((await get(path)).status, path).toBe(200)
    })
    expect(anonymous).toBe(0)
    const loggedIn = await sqlDuring(async () => {
      for (const path of ['/support', '/support/getting-started', '/support?q=folder', '/privacy']) {
        const res = await c.get(path, { server: server.origin })
        expect(res.status, path).toBe(200)
        // Rendered for them (their own header), and kept out of every cache.
        expect(res.headers.get('cache-control'), path).toBe('no-store')
        expect(await res.text(), path).toContain('Open vault')
      }
    })
    expect(loggedIn).toBe(0)
  })

  it('searches with a plain GET: a word from an article body finds it, nonsense finds nothing', async () => {
    const article = help.articles().find((a) => a.slug === 'self-hosting')!
    const res = await get('/support?q=pg_dump')
    const html = await res.text()
    expect(res.status).toBe(200)
    expect(html).toContain(`href="/support/${article.slug}`)
    expect(html).toMatch(/<mark[^>]*>pg_dump<\/mark>/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const none = await get('/support?q=zqxjvbnonsense')
    expect(textOf(await none.text())).toContain('No article matches “zqxjvbnonsense”')
  })

  it('answer an unknown or crafted article address 404 with a way back, never a 500', async () => {
    for (const path of ['/support/no-such-article', '/support/__proto__', '/support/constructor', '/support/..%2f..%2fpackage.json', '/support/%00', `/support/${'a'.repeat(500)}`, '/support/getting-started/extra']) {
      const res = await get(path)
      const html = await res.text()
      expect(res.status, path).toBe(404)
      if (path.startsWith('/support/no-such')) expect(html).toContain('href="/support"')
      expect(html).not.toMatch(/\n\s+at |node_modules/)
    }
    const res = await get('/support/no-such-article')
    expect(textOf(await res.text())).toContain('Back to help')
    for (const q of ['%', '%E0%A4%A', 'a'.repeat(5000), '<script>alert(1)</script>', '"><img src=x>']) {
      const search = await get(`/support?q=${q}`)
      expect(search.status, q).toBeLessThan(500)
      expect(await search.text(), q).not.toContain('<script>alert(1)</script>')
    }
  })
})

describe('links in the articles', () => {
  it('every link to a page of the app leads to one (the link checker, for what it cannot check alone)', async () => {
    const docs = [...help.articles(), ...help.pages()]
    const paths = new Set(
      docs.flatMap((d) => d.links).filter((l) => l.startsWith('/') && !l.startsWith('/support/')).map((l) => l.split('#')[0]!),
    )
    expect(paths.size).toBeGreaterThan(3)
    const user = await registerUser(ctx, 'help-links')
    const c = new Client()
    expect((await c.login(user.email, user.password, server.origin)).status).toBe(303)
    const broken: string[] = []
    for (const path of paths) {
      const res = await c.get(path, { server: server.origin })
      await res.arrayBuffer()
      if (res.status !== 200) broken.push(`${path}: ${res.status}`)
    }
    expect(broken).toEqual([])
  })

  it('the help links of the login, register and recover pages lead to a heading that exists', async () => {
    const targets = new Set<string>()
    for (const page of ['/login', '/register', '/recover']) {
      const html = await (await get(page)).text()
      for (const m of html.matchAll(/href="(\/support\/[^"]+)"/g)) targets.add(m[1]!)
    }
    expect(targets.size).toBeGreaterThanOrEqual(3)
    for (const target of targets) {
      const [path, anchor] = target.split('#') as [string, string | undefined]
      const html = await (await get(path)).text()
      if (anchor) expect(html, target).toContain(`id="${anchor}"`)
    }
  })
})
