// `npm run bench`: the dashboard benchmark of SPEC section 6 (a benchmark, not a test: it exits
// 0 when a bar is missed, non-zero only when the bench itself breaks).
//
// Seeds three users (0, 200 and 1,000 items over 10 folders) and a member of 5 folders shared by
// five other users (40 items each, invited and accepted through the sharing service) in a fresh database, starts the real
// server (NODE_ENV=production, one worker) and a "ceiling" server (bench/ceiling.ts: the same page
// rendered by Vike from the same data, with no session, database or decryption) as child
// processes, logs each user in through the real forms, then for each size: counts SQL queries per
// request from /metrics, and loads /dashboard with autocannon (app and ceiling in alternating
// rounds, never both at once, reading each server's CPU time around its rounds). Then first-load
// JS/CSS, the serialized state; at 200 items the CPU cost of compression (as a browser asks for
// it vs none), 5 cold-cache Chromium loads, Lighthouse (mobile) on /dashboard and /login, and the
// worker's RSS after 60 s at 50 connections. Every figure with a goal gets a PASS/FAIL bar
// (bench/bars.ts). docs/performance.md explains it.
//
// Options: --no-build (measure dist/ even if older than the sources), --duration=<s> (default 8),
// --warmup=<s> (default 2), --runs=<n> (browser runs, default 5), --sizes=0,200,1000,
// --rounds=<n> (alternating app/ceiling rounds, default 4), --shared=<folders>x<items> (the
// member's shared folders and items per folder, default 5x40; "none" skips that row), --json=<file> (also write the
// results as JSON), --server-node-args="<flags>" (node flags for the app server, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it), --save-html=<dir> (keep each /dashboard
// HTML, app and ceiling), --lighthouse=0 (skip Lighthouse), --lighthouse-runs=<n> (per page,
// default 1; medians), --rss-seconds=<s> (the memory run, default 60; 0 skips it).
import { randomBytes } from 'node:crypto'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cleanup, ensureBuild, freePort, log, migrate, prepareStores, startTsx, tempDir, waitReady } from './env.js'
import { createSeeder, type SeededUser } from './seed.js'
import { logIn, queriesPerRequest, type CookieJar } from './http.js'
import { compare, spread, CONNECTIONS } from './load.js'
import { firstLoad, pageContextBytes, serializedState, type FirstLoad } from './assets.js'
import { measureBrowser, type BrowserResult } from './browser.js'
import { measureLighthouse, type LighthousePage, type LighthouseResult } from './lighthouse.js'
import { measureCompression, BROWSER_ACCEPT_ENCODING, type CompressionResult } from './compression.js'
import { measureMemory, MEMORY_CONNECTIONS, type MemoryResult } from './memory.js'
import { cpuAvailable } from './cpu.js'
import { computeBars, perRow } from './bars.js'
import type { BenchResults, SizeResult } from './results.js'
import { fixed, int, kb, table } from './report.js'

const args = new Map(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a)
    if (!m) throw new Error(`unknown argument ${a}`)
    return [m[1], m[2] ?? 'true'] as const
  }),
)
const DURATION = Number(args.get('duration') ?? 8)
const WARMUP = Number(args.get('warmup') ?? 2)
const ROUNDS = Number(args.get('rounds') ?? 4)
const BROWSER_RUNS = Number(args.get('runs') ?? 5)
const SIZES = (args.get('sizes') ?? '0,200,1000').split(',').map(Number)
const SHARED = (() => {
  const v = args.get('shared') ?? '5x40'
  if (v === 'none') return null
  const m = /^(\d+)x(\d+)$/.exec(v)
  if (!m) throw new Error(`--shared=${v}: expected <folders>x<items>, e.g. 5x40, or none`)
  return { folders: Number(m[1]), perFolder: Number(m[2]) }
})()
const LIGHTHOUSE_RUNS = args.get('lighthouse') === '0' ? 0 : Number(args.get('lighthouse-runs') ?? 1)
const RSS_SECONDS = Number(args.get('rss-seconds') ?? 60)
const BROWSER_SIZE = 200
const KDF_LOG_N = 17 // production's floor; each user logs in once, so scrypt cost is paid 3 times

/** The page without what legitimately differs per request (nonce, CSRF token). */
function normalize(html: string) {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  let out = html.replace(/nonce="[^"]*"/g, 'nonce=""')
  if (token) out = out.split(token).join('CSRF')
  return out
}

async function main() {
  const started = Date.now()
  const loadBefore = os.loadavg()[0]
  const run = randomBytes(4).toString('hex')
  const build = ensureBuild(args.has('no-build'))
  const buildTime = statSync('dist/server/entry.mjs').mtimeMs
  const stores = await prepareStores(run)
  log(`database ${stores.dbName}, Redis prefix ${stores.redisPrefix}`)
  migrate(stores.databaseUrl)

  // The real server, as in production (one worker, so /metrics counts every query).
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const server = startTsx(
    'server',
    'server/index.ts',
    {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      APP_ORIGIN: origin,
      DATABASE_URL: stores.databaseUrl,
      REDIS_URL: stores.redisUrl,
      REDIS_PREFIX: stores.redisPrefix,
      SESSION_SECRETS: `bench-secret-${run}-${randomBytes(24).toString('hex')}`,
      // Plain HTTP on loopback: Secure cookies would not be set over http (no TLS proxy here).
      COOKIE_SECURE: 'false',
      KDF_LOG_N: String(KDF_LOG_N),
      WEB_CONCURRENCY: '1',
      MAIL_DIR: tempDir('mail'),
      // No SMTP here: production must be told that mail written to files is intended.
      MAIL_TO_DIRECTORY: 'true',
      LOG_LEVEL: 'info',
      RATE_LOGIN_PER_IP: '1000',
    },
    port,
    // e.g. --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
    (args.get('server-node-args') ?? '').split(' ').filter(Boolean),
  )

  // Seed while the server boots.
  log(`seeding users with ${SIZES.join(', ')} items (10 folders each)`)
  const seeder = createSeeder(stores.databaseUrl, KDF_LOG_N)
  const users: SeededUser[] = []
  for (const size of SIZES) {
    users.push(await seeder.seedUser(size, run))
    log(`seeded ${size} items`)
  }
  if (SHARED) {
    users.push(await seeder.seedSharedMember(SHARED.folders, SHARED.perFolder, run))
    log(`seeded a member of ${SHARED.folders} shared folders (${SHARED.perFolder} items each, other owners)`)
  }
  const ceilingData: Record<string, unknown> = {}
  const profile = new Map<string, { listVaultMs: number; warmListVaultMs: number; changedListVaultMs: number; sqlMs: number }>()
  for (const u of users) {
    // Profile first: it saves one item (its "after 1 change" timing), which moves that item's
    // updatedAt; the page captured for the ceiling must be the one the app will render.
    profile.set(u.label, await seeder.profileListVault(u.viewer))
    const { page, sidebar } = await seeder.listVault(u.viewer)
    if (page.counts.items !== u.size) throw new Error(`seeded ${u.size} items for ${u.label} but listVault counts ${page.counts.items}`)
    if (u.label.startsWith('shared') && sidebar.folders.filter((f) => f.role === 'member').length !== SHARED!.folders) {
      throw new Error(`the shared member sees ${sidebar.folders.length} folders`)
    }
    // The bench's users never chose an appearance: the session's default.
    ceilingData[u.label] = { user: { id: u.viewer.userId, name: u.name, email: u.email, verified: u.verified, theme: 'system' }, page, sidebar }
  }
  await seeder.close()
  log('captured each VaultPage for the ceiling and timed listVault alone')
  const dataFile = path.join(tempDir('ceiling'), 'data.json')
  writeFileSync(dataFile, JSON.stringify(ceilingData))

  const ceilingPort = await freePort()
  const ceiling = startTsx('ceiling', 'bench/ceiling.ts', { ...process.env, NODE_ENV: 'production', PORT: String(ceilingPort), BENCH_CEILING_DATA: dataFile }, ceilingPort)
  await Promise.all([waitReady(server, '/readyz'), waitReady(ceiling, '/readyz')])
  log(`server on ${server.url}, ceiling on ${ceiling.url}`)

  const results: SizeResult[] = []
  let assets: FirstLoad | null = null
  let browserJar: CookieJar | null = null
  let browserAppHeaders: Record<string, string> | null = null
  for (const u of users) {
    // Logging in right before measuring: the session's "last seen" was just written, so no
    // once-a-minute device update lands in the query counts below.
    const jar = await logIn(server.url, origin, u.email, u.password)
    const cookie = jar.header({ withoutFlash: true })
    const isBrowserSize = u.label === String(BROWSER_SIZE)
    if (isBrowserSize) {
      browserJar = jar
      browserAppHeaders = { cookie }
    }
    const appHeaders = { cookie }
    const ceilingHeaders = { 'x-bench-size': u.label }

    // Warm up both (JIT, pools, Vike's lazy page loading), sequentially.
    for (let i = 0; i < 20; i++) {
      await (await fetch(`${server.url}/dashboard`, { headers: appHeaders })).arrayBuffer()
      await (await fetch(`${server.url}/`, { headers: appHeaders })).arrayBuffer()
      await (await fetch(`${ceiling.url}/dashboard`, { headers: ceilingHeaders })).arrayBuffer()
    }

    const res = await fetch(`${server.url}/dashboard`, { headers: appHeaders, redirect: 'manual' })
    const html = await res.text()
    if (res.status !== 200) throw new Error(`GET /dashboard (${u.label}) answered ${res.status}`)
    if (u.canary && !html.includes(u.canary.name)) throw new Error(`the /dashboard HTML of ${u.label} does not list the seeded items`)
    const ceilingHtml = await (await fetch(`${ceiling.url}/dashboard`, { headers: ceilingHeaders })).text()
    const saveDir = args.get('save-html')
    if (saveDir) {
      mkdirSync(saveDir, { recursive: true })
      const file = u.label.replace(/\W+/g, '-')
      writeFileSync(path.join(saveDir, `dashboard-${file}.html`), html)
      writeFileSync(path.join(saveDir, `dashboard-${file}-ceiling.html`), ceilingHtml)
    }
    const sameMarkup = normalize(html) === normalize(ceilingHtml)

    const authQueries = await queriesPerRequest(server.url, '/', cookie)
    const dashboardQueries = await queriesPerRequest(server.url, '/dashboard', cookie)
    const state = u.canary ? serializedState(html, u.canary) : null
    if (isBrowserSize) assets = await firstLoad(html, server.url)

    log(`${u.label}${u.label === String(u.size) ? ' items' : ` (${u.size} items)`}: app and ceiling, ${WARMUP} s warm-up each, then ${ROUNDS} alternating rounds, ${DURATION} s each in all`)
    const [app, ceil] = await compare(
      [
        { url: `${server.url}/dashboard`, headers: appHeaders, pid: server.proc.pid },
        { url: `${ceiling.url}/dashboard`, headers: ceilingHeaders, pid: ceiling.proc.pid },
      ],
      DURATION,
      WARMUP,
      ROUNDS,
    )
    for (const [name, r] of [['app', app], ['ceiling', ceil]] as const) {
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name} at ${u.label}: ${r.non2xx} non-2xx responses, ${r.errors} errors`)
    }
    const p = profile.get(u.label)!
    results.push({
      label: u.label,
      size: u.size,
      shared: u.label !== String(u.size),
      app,
      ceiling: ceil,
      ratio: app.rps / ceil.rps,
      cpuRatio: ceil.cpuMsPerRequest / app.cpuMsPerRequest,
      dashboardQueries,
      authQueries,
      htmlBytes: Buffer.byteLength(html),
      ceilingHtmlBytes: Buffer.byteLength(ceilingHtml),
      sameMarkup,
      stateBytes: pageContextBytes(html),
      state,
      ...p,
    })
  }

  let compression: CompressionResult | null = null
  if (browserAppHeaders && cpuAvailable()) {
    log(`compression: /dashboard at ${BROWSER_SIZE} items without and with Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}, ${WARMUP} s warm-up each, then ${ROUNDS} alternating rounds, ${DURATION} s each in all`)
    compression = await measureCompression(`${server.url}/dashboard`, browserAppHeaders, server.proc.pid, DURATION, WARMUP, ROUNDS)
  }

  let browser: BrowserResult | null = null
  if (browserJar && BROWSER_RUNS > 0) {
    log(`Chromium: ${BROWSER_RUNS} cold-cache loads of /dashboard with ${BROWSER_SIZE} items`)
    const cookies = new Map([...browserJar.cookies].filter(([k]) => !k.startsWith('nid.flash')))
    browser = await measureBrowser(server.url, cookies, BROWSER_RUNS)
  }

  let lighthouse: LighthouseResult[] | null = null
  if (LIGHTHOUSE_RUNS > 0) {
    const pages: LighthousePage[] = [{ page: '/login', url: `${server.url}/login` }]
    if (browserAppHeaders) pages.unshift({ page: `/dashboard (${BROWSER_SIZE} items)`, url: `${server.url}/dashboard`, headers: browserAppHeaders })
    log(`Lighthouse (mobile, simulated throttling): ${LIGHTHOUSE_RUNS} run(s) each of ${pages.map((p) => p.page).join(' and ')}`)
    lighthouse = await measureLighthouse(pages, LIGHTHOUSE_RUNS)
  }

  // Last: the longest measure, and the worker's memory after everything before it too.
  let memory: MemoryResult | null = null
  if (browserAppHeaders && RSS_SECONDS > 0 && server.proc.pid && cpuAvailable()) {
    log(`memory: ${RSS_SECONDS} s at ${MEMORY_CONNECTIONS} connections on /dashboard (${BROWSER_SIZE} items, Accept-Encoding: ${BROWSER_ACCEPT_ENCODING})`)
    memory = await measureMemory(`${server.url}/dashboard`, { ...browserAppHeaders, 'accept-encoding': BROWSER_ACCEPT_ENCODING }, server.proc.pid, RSS_SECONDS)
    if (memory.non2xx > 0 || memory.errors > 0) log(`memory run: ${memory.non2xx} non-2xx responses, ${memory.errors} errors/timeouts (the RSS figure stands)`)
  }

  const rebuilt = statSync('dist/server/entry.mjs').mtimeMs !== buildTime
  report({
    results,
    assets,
    browser,
    lighthouse,
    compression,
    memory,
    build: rebuilt ? `${build}, REBUILT BY ANOTHER PROCESS DURING THE RUN (figures may mix two builds)` : build,
    seconds: (Date.now() - started) / 1000,
    loadBefore,
  })
}

function report(r: BenchResults & { build: string; seconds: number; loadBefore: number }) {
  const { results, assets, browser, lighthouse, compression, memory } = r
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU'
  const out: string[] = []
  out.push('')
  out.push(`NucleusID /dashboard bench: ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs (${cpu})`)
  out.push(
    `autocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per target and row (${ROUNDS} alternating rounds), loopback, no compression; server: NODE_ENV=production, 1 worker; build ${r.build}`,
  )
  out.push(`Load average (1 min) before / after the run: ${fixed(r.loadBefore, 2)} / ${fixed(os.loadavg()[0], 2)}`)
  const unsteady = results.some((x) => [x.app.roundRps, x.ceiling.roundRps].some((rs) => Math.max(...rs) > 1.5 * Math.min(...rs)))
  if (unsteady) {
    out.push('WARNING: req/s varied by more than 50% between rounds (other processes competing for the CPU): req/s and latencies are noisy; CPU ms/request and the CPU ratio are not.')
  }
  out.push('')
  out.push('Throughput and latency: GET /dashboard logged in (app) vs the same page rendered with no session, DB or decryption (ceiling)')
  out.push(
    table(
      ['items', 'app req/s', 'app p50 ms', 'app p99 ms', 'ceiling req/s', 'ceil p50 ms', 'ceil p99 ms', 'ratio', 'CPU ratio', 'SQL/req'],
      results.map((x) => [
        x.label,
        fixed(x.app.rps),
        fixed(x.app.p50),
        fixed(x.app.p99),
        fixed(x.ceiling.rps),
        fixed(x.ceiling.p50),
        fixed(x.ceiling.p99),
        fixed(x.ratio, 2),
        fixed(x.cpuRatio, 2),
        x.dashboardQueries.min === x.dashboardQueries.max ? x.dashboardQueries.min : `${x.dashboardQueries.min}-${x.dashboardQueries.max}`,
      ]),
    ),
  )
  out.push('')
  out.push('Where the time goes: server CPU per request (user+system of its process, Postgres and Redis not included); listVault timed alone in the bench process')
  out.push('(the load test repeats one unchanged page, so the server answers from its list cache; a request right after one item was saved costs "after 1 change - warm" more, a first view "cold - warm")')
  out.push(
    table(
      ['items', 'app CPU ms/req', 'ceiling CPU ms/req', 'difference', 'listVault cold ms', 'warm (cached) ms', 'after 1 change ms', 'cold SQL ms', 'cold decrypt etc. ms', 'HTML KB', 'state KB', 'same page', 'app req/s by round', 'ceiling req/s by round'],
      results.map((x) => [
        x.label,
        fixed(x.app.cpuMsPerRequest, 2),
        fixed(x.ceiling.cpuMsPerRequest, 2),
        fixed(x.app.cpuMsPerRequest - x.ceiling.cpuMsPerRequest, 2),
        fixed(x.listVaultMs, 2),
        fixed(x.warmListVaultMs, 2),
        fixed(x.changedListVaultMs, 2),
        fixed(x.sqlMs, 2),
        fixed(x.listVaultMs - x.sqlMs, 2),
        kb(x.htmlBytes),
        kb(x.stateBytes),
        x.sameMarkup ? 'yes' : `no (${kb(x.ceilingHtmlBytes)} KB)`,
        spread(x.app.roundRps),
        spread(x.ceiling.roundRps),
      ]),
    ),
  )
  out.push('')

  const at200 = results.find((x) => !x.shared && x.size === BROWSER_SIZE)
  const shared = results.find((x) => x.shared)
  if (assets) {
    out.push(`First load of /dashboard: JS ${kb(assets.jsGzip)} KB gzip (${assets.jsFiles} files), CSS ${kb(assets.cssGzip)} KB gzip (${assets.cssFiles} files)`)
  }
  if (at200?.state) {
    const s = at200.state
    out.push(
      `Serialized page context at ${BROWSER_SIZE} items: ${kb(s.stateBytes)} KB; one item's name appears ${s.nameInState}x in it (id ${s.idInState}x), ${s.nameInHtml}x in the whole HTML (markup + state)`,
    )
  }
  const row = perRow(results, BROWSER_SIZE)
  if (row) {
    out.push(
      `Per list row (the ${BROWSER_SIZE}-item page minus the empty vault's, ${row.rows} rows on the page): HTML ${int(row.htmlBytesPerRow)} B, page context ${int(row.stateBytesPerRow)} B (${kb(row.stateBytesPerRow * 100)} KB per 100 rows)`,
    )
  }
  const auth = results.map((x) => x.authQueries)
  out.push(`Authentication: an authenticated GET / costs ${auth.map((a) => a.min).join(' / ')} SQL queries (per user; max seen ${Math.max(...auth.map((a) => a.max))})`)
  if (shared) {
    const q = shared.dashboardQueries
    out.push(
      `Shared folders: a member of ${SHARED!.folders} folders owned by other users (${shared.size} items, ${shared.label}): /dashboard ${fixed(shared.app.rps)} req/s, ` +
        `${fixed(shared.ratio, 2)}x the ceiling (CPU ${fixed(shared.cpuRatio, 2)}x), ${q.min === q.max ? q.min : `${q.min}-${q.max}`} SQL queries per request` +
        (at200 ? `; the owner of ${at200.size} items in 10 own folders: ${fixed(at200.ratio, 2)}x` : ''),
    )
  }
  out.push('')
  if (browser) {
    out.push(`Chromium (headless, cold cache, new context per run), /dashboard with ${BROWSER_SIZE} items, median of ${browser.runs} runs`)
    out.push(
      table(
        ['TTFB ms', 'FCP ms', 'first item painted ms', '(laid out, rAF) ms', 'requests', 'KB transferred', 'console errors/warnings'],
        [[fixed(browser.ttfb), fixed(browser.fcp), fixed(browser.firstItem), fixed(browser.firstItemLaidOut), browser.requests, kb(browser.bytes), browser.consoleProblems]],
        ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    )
    out.push('')
  }

  if (compression) {
    const c = compression
    out.push(`Compression: /dashboard at ${BROWSER_SIZE} items, app server CPU per request without Accept-Encoding and with the browser's (${BROWSER_ACCEPT_ENCODING}), alternating rounds`)
    out.push(
      table(
        ['request', 'Content-Encoding', 'body KB', 'CPU ms/req', 'req/s', 'p50 ms', 'req/s by round'],
        [
          ['no Accept-Encoding', 'identity', kb(c.identityBytes), fixed(c.identity.cpuMsPerRequest, 2), fixed(c.identity.rps), fixed(c.identity.p50), spread(c.identity.roundRps)],
          [`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}`, c.encoding, kb(c.compressedBytes), fixed(c.compressed.cpuMsPerRequest, 2), fixed(c.compressed.rps), fixed(c.compressed.p50), spread(c.compressed.roundRps)],
        ],
        ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
      ),
    )
    out.push(`Compressed / uncompressed CPU: ${fixed(c.cpuRatio, 2)}x (+${fixed(c.compressed.cpuMsPerRequest - c.identity.cpuMsPerRequest, 2)} ms per request)`)
    out.push('')
  }
  if (lighthouse) {
    const lh = lighthouse[0]
    out.push(`Lighthouse ${lh.lighthouseVersion} (${lh.chromium}), mobile, simulated throttling, median of ${lh.runs} run(s) per page`)
    out.push(
      table(
        ['page', 'performance', 'accessibility', 'TBT ms', 'max potential FID ms', 'FCP ms', 'LCP ms', 'DOM elements', 'benchmark index', 'accessibility audits failed'],
        lighthouse.map((x) => [x.page, fixed(x.performance, 0), fixed(x.accessibility, 0), fixed(x.tbt, 0), fixed(x.maxPotentialFid, 0), fixed(x.fcp, 0), fixed(x.lcp, 0), int(x.domSize), int(x.benchmarkIndex), x.a11yFailures.join(', ') || '-']),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
    )
    out.push('')
  }
  if (memory) {
    const m = memory
    out.push(
      `Memory: the worker's RSS ${fixed(m.rssBefore, 0)} MB before, ${fixed(m.rssEnd, 0)} MB after ${m.seconds} s at ${m.connections} connections on /dashboard (${BROWSER_SIZE} items, compressed; ${fixed(m.rps)} req/s), ` +
        `highest sample ${fixed(m.rssPeak, 0)} MB, VmHWM ${fixed(m.hwm, 0)} MB (process lifetime)`,
    )
    out.push('')
  }

  const bars = computeBars({ results, assets, browser, lighthouse, compression, memory }, BROWSER_SIZE)
  const pass = (ok: boolean | null) => (ok === null ? 'n/a ' : ok ? 'PASS' : 'FAIL')
  const failed = bars.filter((b) => b.pass === false).length
  out.push(`Bars (SPEC section 6 and issue 18): ${bars.filter((b) => b.pass).length} pass, ${failed} fail, ${bars.filter((b) => b.pass === null).length} not measured`)
  out.push(table(['bar', 'measured', 'result'], bars.map((b) => [b.bar, b.measured, pass(b.pass)]), ['l', 'r', 'l']))
  out.push('')
  out.push(`Bench took ${fixed(r.seconds, 0)} s.`)
  console.log(out.join('\n'))

  const jsonFile = args.get('json')
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ results, assets, browser, lighthouse, compression, memory, bars }, null, 2))
}

let exitCode = 0
const stop = () => {
  // Ctrl-C: clean up (drop the database, delete Redis keys, stop the children), then leave.
  void cleanup().then(() => process.exit(130))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
try {
  await main()
} catch (e) {
  console.error('[bench] failed:', e instanceof Error ? (e.stack ?? e.message) : e)
  exitCode = 1
} finally {
  await cleanup()
}
process.exit(exitCode)
