// The ceiling: a bare HTTP server (child process of the bench) that renders /dashboard with
// Vike's renderPage and the same pageContextInit shape as server/render.ts, but with no session,
// database or decryption: the vault service is a stub returning the VaultPage and sidebar the real service
// produced for the same user (captured by the bench). Nothing else runs per request.
//   env: PORT, BENCH_CEILING_DATA (JSON file: { [label]: { user, page, sidebar } })
// The dataset is chosen with the `x-bench-size` request header: a vault's label, its item count
// ('0', '200', '1000') or 'shared 5x40' for the member of folders shared by other users (whose
// sidebar carries those folders as role 'member', with their owners' names, like the real one).
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { renderPage } from 'vike/server'
import type { FolderList, VaultPage } from '../shared/contract.js'
import type { Services } from '../server/services/index.js'
import type { SessionUser } from '../shared/user.js'

interface Dataset {
  user: SessionUser
  page: VaultPage
  sidebar: FolderList
}

// The VaultPage DTO holds no Date today; revive ISO timestamps anyway so it stays faithful if one is added.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/
const data = JSON.parse(readFileSync(process.env.BENCH_CEILING_DATA!, 'utf8'), (_k, v) =>
  typeof v === 'string' && ISO_DATE.test(v) ? new Date(v) : v,
) as Record<string, Dataset>
const DUMMY_KEY = Buffer.alloc(32, 1)
const CSRF_TOKEN = randomBytes(32).toString('base64url')

/** Only what /dashboard's +data calls; the rest of Services is never reached. */
function stubServices({ page, sidebar }: Dataset) {
  return { vault: { reader: () => ({ list: async () => page, folders: async () => sidebar }) } } as unknown as Services
}

const stubs = Object.fromEntries(Object.entries(data).map(([size, d]) => [size, stubServices(d)]))

const server = http.createServer(async (req, res) => {
  try {
    if (req.url === '/readyz') {
      res.end('ok')
      return
    }
    const size = String(req.headers['x-bench-size'] ?? '')
    const d = data[size]
    if (!d) {
      res.statusCode = 400
      res.end('unknown x-bench-size')
      return
    }
    const pageContextInit = {
      urlOriginal: req.url ?? '/',
      headersOriginal: req.headers,
      cspNonce: randomBytes(16).toString('base64'),
      user: d.user,
      csrfToken: CSRF_TOKEN,
      flash: null,
      form: null,
      services: stubs[size],
      appError: null,
      pendingMfa: false,
      viewer: { userId: d.user.id, vaultKey: DUMMY_KEY },
      deviceId: 'bench-device',
      recoveryCode: () => null,
    }
    const pageContext = await renderPage(pageContextInit)
    const { httpResponse } = pageContext
    if (!httpResponse) {
      res.statusCode = 404
      res.end()
      return
    }
    res.statusCode = httpResponse.statusCode
    for (const [name, value] of httpResponse.headers) res.setHeader(name, value)
    res.end(httpResponse.body) // as server/render.ts sends it
  } catch (e) {
    console.error(e)
    res.statusCode = 500
    res.end()
  }
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`ceiling listening on ${process.env.PORT}`))
process.once('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
