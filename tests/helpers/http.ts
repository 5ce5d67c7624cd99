// HTTP-level tests against the two servers `npm test` starts (BASE_URL and SECOND_URL, sharing
// PostgreSQL and Redis): fetch plus a small cookie jar, like a browser with JavaScript off.
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'

function requireUrl(name: 'BASE_URL' | 'SECOND_URL'): string {
  const url = process.env[name]
  if (!url) throw new Error(`${name} is not set: run the suite with \`npm test\`, which starts the servers`)
  return url.replace(/\/$/, '')
}

export const BASE_URL = requireUrl('BASE_URL')
export const SECOND_URL = requireUrl('SECOND_URL')
export const PASSWORD = 'violet harbor quantum 58 teapot'

export const uniqueEmail = (tag = 'user') => `${tag}-http-${randomBytes(5).toString('hex')}@example.test`

export interface RequestOptions {
  method?: string
  /** application/x-www-form-urlencoded body */
  form?: Record<string, string>
  body?: string
  headers?: Record<string, string>
  /** The Origin header: the target server's own origin unless given; null sends none. */
  origin?: string | null
  /** Which server: BASE_URL unless given. */
  server?: string
}

/**
 * A browser-like client: one cookie jar for both servers (cookies do not depend on the port, so a
 * browser would send the same cookies to localhost:A and localhost:B), redirects not followed.
 */
export class Client {
  readonly jar = new Map<string, string>()

  cookie(name: string): string | undefined {
    return this.jar.get(name)
  }

  /** The Cookie header the browser sends with its requests. */
  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const expired = attrs.some((a) => {
        const [k, v] = a.trim().split('=')
        if (k!.toLowerCase() === 'max-age') return Number(v) <= 0
        if (k!.toLowerCase() === 'expires') return new Date(v!).getTime() <= Date.now()
        return false
      })
      if (expired || value === '') this.jar.delete(name)
      else this.jar.set(name, value)
    }
  }

  async request(path: string, opts: RequestOptions = {}): Promise<Response> {
    const server = opts.server ?? BASE_URL
    const method = opts.method ?? (opts.form || opts.body ? 'POST' : 'GET')
    const headers: Record<string, string> = { ...opts.headers }
    if (this.jar.size) headers.cookie = this.cookieHeader()
    const origin = opts.origin === undefined ? server : opts.origin
    if (method !== 'GET' && method !== 'HEAD' && origin !== null) headers.origin = origin
    let body = opts.body
    if (opts.form) {
      body = new URLSearchParams(opts.form).toString()
      headers['content-type'] ??= 'application/x-www-form-urlencoded'
    }
    const res = await fetch(`${server}${path}`, { method, headers, body, redirect: 'manual' })
    this.store(res)
    return res
  }

  get(path: string, opts: Omit<RequestOptions, 'method'> = {}) {
    return this.request(path, { ...opts, method: 'GET' })
  }

  /** GETs a page and returns the CSRF token of its forms (and sets the CSRF cookie). */
  async csrf(path = '/login', server?: string): Promise<string> {
    const res = await this.get(path, { server })
    return csrfFrom(await res.text())
  }

  /** POSTs a form with a fresh CSRF token (from `tokenPage`), like a browser submitting it. */
  async post(path: string, form: Record<string, string> = {}, opts: Omit<RequestOptions, 'form'> & { tokenPage?: string } = {}) {
    const _csrf = await this.csrf(opts.tokenPage ?? '/login', opts.server)
    return this.request(path, { ...opts, method: 'POST', form: { _csrf, ...form } })
  }

  async register(name = 'Http User', email = uniqueEmail(), password = PASSWORD) {
    const res = await this.post('/register', { name, email, password, password_confirm: password }, { tokenPage: '/register' })
    if (res.status !== 303 || res.headers.get('location') !== '/register/recovery-code') {
      throw new Error(`registration failed: ${res.status} ${await res.text()}`)
    }
    return { name, email, password }
  }

  async login(email: string, password = PASSWORD, server?: string) {
    return this.post('/login', { email, password }, { server })
  }
}

/**
 * POSTs a form whose body arrives in three parts over `ms`; `during` runs once the request has
 * been authenticated (its headers are in) and before the body is complete.
 */
export async function trickledPost(
  c: Client,
  path: string,
  form: Record<string, string> | { body: string; contentType: string },
  during: () => Promise<void>,
  ms = 1500,
) {
  const raw = 'contentType' in form && typeof form.body === 'string' ? (form as { body: string; contentType: string }) : null
  const body = raw ? raw.body : new URLSearchParams(form as Record<string, string>).toString()
  const cut = [Math.floor(body.length / 3), Math.floor((2 * body.length) / 3)]
  let during_: Promise<void> | undefined
  const res = await new Promise<{ status: number; location: string | undefined; setCookies: string[] }>((resolve, reject) => {
    const req = http.request(new URL(path, BASE_URL), {
      method: 'POST',
      headers: {
        cookie: c.cookieHeader(),
        origin: BASE_URL,
        'content-type': raw ? raw.contentType : 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
    })
    req.on('response', (r) => {
      r.resume()
      r.on('end', () => resolve({ status: r.statusCode!, location: r.headers.location, setCookies: r.headers['set-cookie'] ?? [] }))
    })
    req.on('error', reject)
    req.write(body.slice(0, cut[0]))
    setTimeout(() => {
      during_ = during()
      req.write(body.slice(cut[0], cut[1]))
    }, ms / 3)
    setTimeout(() => {
      void during_!.then(
        () => req.end(body.slice(cut[1])),
        (e: unknown) => reject(e),
      )
    }, ms)
  })
  return res
}

export function csrfFrom(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/)
  if (!m) throw new Error('no _csrf field in the page')
  return m[1]!
}

/** A page's visible text, roughly: tags and the serialized page context removed. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
}

/**
 * The recovery code a page shows, as the user reads it: the text of its [data-testid=recovery-code]
 * element, whose groups are spans (they never break) joined with no space between them.
 */
export function recoveryCodeIn(html: string): string | null {
  const m = html.match(/data-testid="recovery-code"[^>]*>([\s\S]*?)<\/code>/)
  return m ? m[1]!.replace(/<[^>]+>/g, '').trim() : null
}

export const JSON_HEADERS = { accept: 'application/json' }

/** A stack frame, a module path, a driver error or SQL in a body: none may reach a client. */
export const LEAK = /\n\s+at [\w.<]|\bat \S+ \(\/|node_modules\/|Sequelize\w*Error|\bSELECT\b[^<]{0,200}\bFROM\b|INSERT INTO|UPDATE "\w+" SET|DELETE FROM/

/**
 * A browser session of `u`, logged in through POST /login, and the CSRF token of the forms on
 * `formPage`: `post` sends a form like a browser without JavaScript, or (json) like the enhanced
 * form; `raw` sends any body (for fuzzing) with the session's cookies and the right Origin.
 */
export async function session(u: { email: string; password: string }, formPage = '/dashboard') {
  const c = new Client()
  const res = await c.login(u.email, u.password)
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe('/dashboard')
  const page = await c.get(formPage)
  expect(page.status).toBe(200)
  const token = csrfFrom(await page.text())
  const post = (path: string, form: Record<string, string> = {}, opts: { json?: boolean; server?: string } = {}) =>
    c.request(path, { method: 'POST', form: { _csrf: token, ...form }, headers: opts.json ? JSON_HEADERS : {}, server: opts.server })
  const raw = (path: string, body: string, type: string, headers: Record<string, string> = {}) =>
    c.request(path, { method: 'POST', body, headers: { 'content-type': type, ...headers } })
  return { client: c, token, post, raw, get: (path: string, server?: string) => c.get(path, { server }) }
}

/**
 * POSTs the import form (multipart) like a browser: `c`'s cookies, and an Origin (the server's own
 * unless given); `json` as the enhanced form.
 */
export function postImport(c: Client, form: FormData, opts: { origin?: string; json?: boolean; server?: string } = {}) {
  const server = opts.server ?? BASE_URL
  const headers: Record<string, string> = { origin: opts.origin ?? server }
  if (c.jar.size) headers.cookie = c.cookieHeader()
  if (opts.json) headers.accept = 'application/json'
  return fetch(`${server}/dashboard/import`, { method: 'POST', body: form, headers, redirect: 'manual' })
}

/**
 * A browser of `u` logged in on the import page, and its upload of a CSV file with the form's
 * `fields`: with the page's CSRF token unless `csrf` names another (null: none).
 */
export async function importSession(u: { email: string; password: string }) {
  const { client, token } = await session(u, '/dashboard/import')
  const upload = (file: Buffer, fields: Record<string, string>, opts: { csrf?: string | null; origin?: string; json?: boolean } = {}) => {
    const form = new FormData()
    const csrf = opts.csrf === undefined ? token : opts.csrf
    if (csrf !== null) form.append('_csrf', csrf)
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    form.append('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), 'export.csv')
    return postImport(client, form, opts)
  }
  return { client, upload }
}

/** Reads the body and checks the status, showing the start of the page's text when it differs. */
export async function expectStatus(res: Response, status: number, what: string) {
  const body = await res.text()
  expect(res.status, `${what}: ${textOf(body).slice(0, 300)}`).toBe(status)
  return body
}
