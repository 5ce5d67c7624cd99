// `next` after login stays on this site even when its dot segments collapse into "//host"
// (issue 17, finding 10): "/.//evil.example" passed every check on the raw string and resolved to
// the path "//evil.example", which a browser follows as a Location to another host.
import { describe, expect, it } from 'vitest'
import { BASE_URL, Client } from '../helpers/http.js'

const SHAPES = ['/.//evil.example', '/..//evil.example', '/%2e//evil.example', '/%2e%2e//evil.example/x']

describe('login with a next that normalises to another host', () => {
  it('a form post redirects to /dashboard, never off-site', async () => {
    const user = await new Client().register('Safe Next Form')
    for (const next of SHAPES) {
      const c = new Client()
      const res = await c.post('/login', { email: user.email, password: user.password, next })
      expect(res.status, next).toBe(303)
      expect(res.headers.get('location'), next).toBe('/dashboard')
      expect(new URL(res.headers.get('location')!, BASE_URL).origin, next).toBe(new URL(BASE_URL).origin)
    }
  })

  it('an enhanced (JSON) login answers redirect /dashboard, and the login page does not carry the shape on', async () => {
    const user = await new Client().register('Safe Next Json')
    const c = new Client()
    const res = await c.post('/login', { email: user.email, password: user.password, next: '/.//evil.example' }, { headers: { accept: 'application/json' } })
    expect(await res.json()).toEqual({ ok: true, redirect: '/dashboard' })

    const page = await new Client().get(`/login?next=${encodeURIComponent('/.//evil.example')}`)
    expect(page.status).toBe(200)
    expect(await page.text()).not.toContain('evil.example')
  })
})
