// HTTP helpers: a tiny cookie jar, logging in through the real forms, and reading /metrics.

/** Cookies by name, from Set-Cookie headers (a cleared cookie is removed). */
export class CookieJar {
  readonly cookies = new Map<string, string>()

  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const cleared =
        value === '' ||
        attrs.some((a) => {
          const [k, v = ''] = a.trim().split('=')
          return (k.toLowerCase() === 'max-age' && Number(v) <= 0) || (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now())
        })
      if (cleared) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  /** Without the one-time flash cookie: each load-test request must be the same plain page view. */
  header(opts: { withoutFlash?: boolean } = {}) {
    return [...this.cookies]
      .filter(([k]) => !(opts.withoutFlash && k.startsWith('nid.flash')))
      .map(([k, v]) => `${k}=${v}`)
      .join('; ')
  }
}

/** GET /login (CSRF cookie and token), POST /login with the Origin header; returns the jar. */
export async function logIn(base: string, origin: string, email: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar()
  const page = await fetch(`${base}/login`)
  jar.take(page)
  const html = await page.text()
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!token) throw new Error('login page has no _csrf field')
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: jar.header() },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  })
  jar.take(res)
  if (res.status !== 303 || !jar.cookies.has('nid.sid')) {
    throw new Error(`login of ${email} failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`)
  }
  // Drop the welcome flash: the measured requests are plain page views.
  for (const k of [...jar.cookies.keys()]) if (k.startsWith('nid.flash')) jar.cookies.delete(k)
  return jar
}

export async function dbQueries(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const m = /^db_queries_total(?:\{[^}]*\})? ([0-9.e+]+)$/m.exec(text)
  if (!m) throw new Error('/metrics has no db_queries_total')
  return Number(m[1])
}

/**
 * SQL queries of one request, read from /metrics before and after (the server runs one worker).
 * Several rounds: the minimum is the request's own cost (a "last seen" write, at most once a
 * minute, can land in any round); the maximum is reported too.
 */
export async function queriesPerRequest(base: string, path: string, cookie: string, rounds = 3) {
  const counts: number[] = []
  for (let i = 0; i < rounds; i++) {
    const before = await dbQueries(base)
    const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status} while counting queries`)
    counts.push((await dbQueries(base)) - before)
  }
  return { min: Math.min(...counts), max: Math.max(...counts) }
}
