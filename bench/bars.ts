// The bars the report prints PASS or FAIL against: SPEC section 6 and issue 18's goals. A bar
// whose figure was not measured in this run (a size left out, --runs=0, --lighthouse=0, ...) is
// printed "n/a". The bench exits 0 either way: it is a benchmark, not a test.
import type { BenchResults, SizeResult } from './results.js'
import { fixed, kb } from './report.js'

/** Rows on one page of the list (SPEC 6: paginate at 100). */
export const ROWS_PER_PAGE = 100

export const GOALS = {
  // SPEC section 6
  ratioAt200: 0.5,
  specJsKb: 100,
  cssKb: 20,
  dashboardQueries: 3,
  authQueries: 0,
  // issue 18
  lighthouseDashboardPerformance: 98,
  lighthouseDashboardTbtMs: 50,
  lighthouseLoginPerformance: 100,
  lighthouseAccessibility: 100,
  ceilingCpuMsAt200: 4,
  appOverCeilingCpuMsAt0: 1,
  cpuRatio: 0.8,
  compressionCpuFactor: 1.3,
  rssMb: 250,
  firstPaintMs: 200,
  htmlBytesPerRow: 512,
  stateKbPer100Rows: 15,
  jsKb: 60,
  cssFiles: 2,
  coldListVaultMsAt1000: 5,
}

export interface Bar {
  bar: string
  measured: string
  /** null: not measured in this run. */
  pass: boolean | null
}

export interface PerRow {
  rows: number
  htmlBytesPerRow: number
  stateBytesPerRow: number
}

/**
 * What one list row costs in the HTML and in the page context: the 200-item page (100 rows on it)
 * minus the empty vault's page, divided by its rows. Null unless both sizes were measured.
 */
export function perRow(results: SizeResult[], size: number): PerRow | null {
  const full = results.find((x) => !x.shared && x.size === size)
  const empty = results.find((x) => !x.shared && x.size === 0)
  if (!full || !empty) return null
  const rows = Math.min(size, ROWS_PER_PAGE)
  return { rows, htmlBytesPerRow: (full.htmlBytes - empty.htmlBytes) / rows, stateBytesPerRow: (full.stateBytes - empty.stateBytes) / rows }
}

export function computeBars(r: BenchResults, browserSize: number): Bar[] {
  const { results, assets, browser, lighthouse, compression, memory } = r
  const bars: Bar[] = []
  const add = (bar: string, measured: string | null, pass: boolean | null) => bars.push({ bar, measured: measured ?? 'n/a', pass: measured === null ? null : pass })
  const own = (size: number) => results.find((x) => !x.shared && x.size === size)
  const at0 = own(0)
  const at200 = own(browserSize)
  const at1000 = own(1000)
  const shared = results.find((x) => x.shared)

  // Server throughput and CPU
  add(`ratio to ceiling (req/s) at ${browserSize} items >= ${GOALS.ratioAt200} (SPEC)`, at200 ? `${fixed(at200.ratio, 2)} (CPU ${fixed(at200.cpuRatio, 2)})` : null, !!at200 && at200.ratio >= GOALS.ratioAt200)
  for (const x of [at0, at200, at1000]) {
    if (!x) continue
    add(`CPU ratio (ceiling/app) at ${x.label} items >= ${GOALS.cpuRatio}`, fixed(x.cpuRatio, 2), x.cpuRatio >= GOALS.cpuRatio)
  }
  add(
    `ceiling (bare page) CPU at ${browserSize} items <= ${GOALS.ceilingCpuMsAt200} ms/request`,
    at200 ? `${fixed(at200.ceiling.cpuMsPerRequest, 2)} ms` : null,
    !!at200 && at200.ceiling.cpuMsPerRequest <= GOALS.ceilingCpuMsAt200,
  )
  const over0 = at0 ? at0.app.cpuMsPerRequest - at0.ceiling.cpuMsPerRequest : NaN
  add(`app CPU within ${GOALS.appOverCeilingCpuMsAt0} ms of the ceiling at 0 items`, at0 ? `${over0 >= 0 ? '+' : ''}${fixed(over0, 2)} ms` : null, over0 <= GOALS.appOverCeilingCpuMsAt0)
  add(
    `compressed (Accept-Encoding: br, gzip, deflate) CPU <= ${GOALS.compressionCpuFactor}x uncompressed, ${browserSize} items`,
    compression ? `${fixed(compression.cpuRatio, 2)}x (${compression.encoding})` : null,
    !!compression && compression.cpuRatio <= GOALS.compressionCpuFactor,
  )
  add(
    `worker RSS after ${memory?.seconds ?? '-'} s at ${memory?.connections ?? '-'} connections (${browserSize} items) < ${GOALS.rssMb} MB`,
    memory ? `${fixed(memory.rssEnd, 0)} MB` : null,
    !!memory && memory.rssEnd < GOALS.rssMb,
  )
  add(`cold listVault at 1,000 items <= ${GOALS.coldListVaultMsAt1000} ms`, at1000 ? `${fixed(at1000.listVaultMs, 2)} ms` : null, !!at1000 && at1000.listVaultMs <= GOALS.coldListVaultMsAt1000)

  // SQL
  const maxDash = Math.max(...results.filter((x) => !x.shared).map((x) => x.dashboardQueries.min))
  add(
    `/dashboard <= ${GOALS.dashboardQueries} SQL queries (${results.filter((x) => !x.shared).map((x) => x.label).join(', ')} items)`,
    results.filter((x) => !x.shared).map((x) => x.dashboardQueries.min).join(' / '),
    maxDash <= GOALS.dashboardQueries,
  )
  if (shared) {
    add(`shared member: /dashboard <= ${GOALS.dashboardQueries} SQL queries`, `${shared.dashboardQueries.min} (max seen ${shared.dashboardQueries.max})`, shared.dashboardQueries.min <= GOALS.dashboardQueries)
    add(`shared member: ratio to ceiling (req/s) >= ${GOALS.ratioAt200}`, `${fixed(shared.ratio, 2)} (CPU ${fixed(shared.cpuRatio, 2)})`, shared.ratio >= GOALS.ratioAt200)
  }
  const maxAuth = Math.max(...results.map((x) => x.authQueries.min))
  add(`authentication = ${GOALS.authQueries} SQL queries`, String(maxAuth), maxAuth <= GOALS.authQueries)

  // What the page sends
  const row = perRow(results, browserSize)
  add(`HTML per list row <= ${kb(GOALS.htmlBytesPerRow)} KB (${browserSize} minus 0 items)`, row ? `${fixed(row.htmlBytesPerRow, 0)} B` : null, !!row && row.htmlBytesPerRow <= GOALS.htmlBytesPerRow)
  add(
    `page context <= ${GOALS.stateKbPer100Rows} KB per 100 rows (${browserSize} minus 0 items)`,
    row ? `${kb(row.stateBytesPerRow * 100)} KB` : null,
    !!row && row.stateBytesPerRow * 100 <= GOALS.stateKbPer100Rows * 1024,
  )
  if (at200?.state) {
    add('each item once in the page context (not in +data and Pinia both)', `${at200.state.nameInState}x`, at200.state.nameInState === 1 && at200.state.idInState === 1)
  }
  add(`first-load JS <= ${GOALS.jsKb} KB gzip (issue 18; SPEC: ${GOALS.specJsKb})`, assets ? `${kb(assets.jsGzip)} KB` : null, !!assets && assets.jsGzip <= GOALS.jsKb * 1024)
  add(`first-load CSS <= ${GOALS.cssKb} KB gzip`, assets ? `${kb(assets.cssGzip)} KB` : null, !!assets && assets.cssGzip <= GOALS.cssKb * 1024)
  add(`render-blocking CSS files <= ${GOALS.cssFiles}`, assets ? String(assets.cssFiles) : null, !!assets && assets.cssFiles <= GOALS.cssFiles)

  // In the browser
  add(`Chromium: FCP <= ${GOALS.firstPaintMs} ms (cold, ${browserSize} items)`, browser ? `${fixed(browser.fcp, 0)} ms` : null, !!browser && browser.fcp <= GOALS.firstPaintMs)
  add(`Chromium: first item painted <= ${GOALS.firstPaintMs} ms`, browser ? `${fixed(browser.firstItem, 0)} ms` : null, !!browser && browser.firstItem <= GOALS.firstPaintMs)
  const lhDash = lighthouse?.find((x) => x.page.startsWith('/dashboard')) ?? null
  const lhLogin = lighthouse?.find((x) => x.page.startsWith('/login')) ?? null
  add(`Lighthouse /dashboard performance >= ${GOALS.lighthouseDashboardPerformance}`, lhDash ? fixed(lhDash.performance, 0) : null, !!lhDash && lhDash.performance >= GOALS.lighthouseDashboardPerformance)
  add(`Lighthouse /dashboard TBT <= ${GOALS.lighthouseDashboardTbtMs} ms`, lhDash ? `${fixed(lhDash.tbt, 0)} ms` : null, !!lhDash && lhDash.tbt <= GOALS.lighthouseDashboardTbtMs)
  add(`Lighthouse /dashboard accessibility = ${GOALS.lighthouseAccessibility}`, lhDash ? fixed(lhDash.accessibility, 0) : null, !!lhDash && lhDash.accessibility >= GOALS.lighthouseAccessibility)
  add(`Lighthouse /login performance = ${GOALS.lighthouseLoginPerformance}`, lhLogin ? fixed(lhLogin.performance, 0) : null, !!lhLogin && lhLogin.performance >= GOALS.lighthouseLoginPerformance)
  add(`Lighthouse /login accessibility = ${GOALS.lighthouseAccessibility}`, lhLogin ? fixed(lhLogin.accessibility, 0) : null, !!lhLogin && lhLogin.accessibility >= GOALS.lighthouseAccessibility)
  return bars
}
