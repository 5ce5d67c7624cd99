import { writeFileSync } from 'node:fs'
import path from 'node:path'
// Lighthouse (the npm package, a devDependency) on the bench's own Chromium (bench/browser.ts's
// benchChromium: the same binary, flags and environment), started here with a remote debugging
// port that Lighthouse connects to; nothing is downloaded. Lighthouse's defaults otherwise: the
// mobile form factor and simulated throttling (a slow 4G link and a 4x slower CPU, applied by
// computation to a trace of an unthrottled load), a cleared cache and storage before each run
// (cookies too: a fresh profile per run, see measureLighthouse).
// Only the performance and accessibility categories are run.
import { spawn } from 'node:child_process'
import lighthouse from 'lighthouse'
import { benchChromium } from './browser.js'
import { freePort, sleep, tempDir } from './env.js'
import { median } from './seed.js'

export interface LighthouseRun {
  /** Category scores, 0-100. */
  performance: number
  accessibility: number
  /** Milliseconds, simulated (mobile throttling). */
  tbt: number
  maxPotentialFid: number
  fcp: number
  lcp: number
  /** Elements in the DOM (the dom-size audit). */
  domSize: number
  /** Lighthouse's measure of this machine's speed at the time (higher is faster): TBT follows it,
   *  so runs of two commits compare only at a like index (this machine drifts from ~1,700 to ~3,000). */
  benchmarkIndex: number
  /** Ids of failed accessibility audits (score below 1), for the report. */
  a11yFailures: string[]
}

export interface LighthouseResult extends Omit<LighthouseRun, 'a11yFailures'> {
  page: string
  runs: number
  a11yFailures: string[]
  lighthouseVersion: string
  chromium: string
}

export interface LighthousePage {
  /** Label in the report, e.g. "/dashboard (200 items)". */
  page: string
  url: string
  /** Request headers for every request of the page, e.g. the session cookie. */
  headers?: Record<string, string>
}

async function devtoolsReady(port: number, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/version`)
      if (res.ok) return ((await res.json()) as { Browser: string }).Browser
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`Chromium did not open its DevTools port ${port} in ${timeoutMs / 1000} s`)
}

async function once(target: LighthousePage, port: number): Promise<LighthouseRun & { version: string }> {
  const result = await lighthouse(target.url, {
    port,
    hostname: '127.0.0.1',
    logLevel: 'error',
    output: 'json',
    onlyCategories: ['performance', 'accessibility'],
    extraHeaders: target.headers ?? null,
  })
  if (!result) throw new Error(`Lighthouse returned nothing for ${target.url}`)
  const lhr = result.lhr
  // BENCH_LHR_DIR=<dir>: keep each full report (its diagnostics: long tasks, bootup time ...).
  if (process.env.BENCH_LHR_DIR) writeFileSync(path.join(process.env.BENCH_LHR_DIR, `${new URL(target.url).pathname.replace(/\W+/g, '_')}-${Date.now()}.json`), JSON.stringify(lhr))
  if (lhr.runtimeError) throw new Error(`Lighthouse on ${target.url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
  const final = new URL(lhr.finalDisplayedUrl)
  if (final.pathname !== new URL(target.url).pathname) throw new Error(`Lighthouse on ${target.url} ended on ${lhr.finalDisplayedUrl} (not logged in?)`)
  const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN
  const score = (id: string) => Math.round((lhr.categories[id]?.score ?? NaN) * 100)
  const a11y = lhr.categories.accessibility?.auditRefs ?? []
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    tbt: num('total-blocking-time'),
    maxPotentialFid: num('max-potential-fid'),
    fcp: num('first-contentful-paint'),
    lcp: num('largest-contentful-paint'),
    domSize: num('dom-size'),
    benchmarkIndex: lhr.environment.benchmarkIndex,
    a11yFailures: a11y.filter((r) => r.weight > 0 && lhr.audits[r.id]?.score !== null && (lhr.audits[r.id]?.score ?? 1) < 1).map((r) => r.id),
    version: lhr.lighthouseVersion,
  }
}

/** A Chromium of its own for one Lighthouse run, listening on a free DevTools port; stopped by `stop`. */
async function startChromium() {
  const chromium = await benchChromium()
  const port = await freePort()
  const proc = spawn(
    chromium.path,
    [...chromium.args, '--headless', `--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1', `--user-data-dir=${tempDir('lighthouse-profile')}`, 'about:blank'],
    { env: chromium.env, stdio: 'ignore' },
  )
  try {
    return { port, browser: await devtoolsReady(port), stop: () => proc.kill('SIGTERM') }
  } catch (e) {
    proc.kill('SIGTERM')
    throw e
  }
}

/**
 * `runs` Lighthouse runs per page (pages in turn: A B A B ...), each on a Chromium started for it
 * (a fresh profile): Lighthouse's storage reset keeps cookies, and a cookie the server set in an
 * earlier run (the session's, without the `nid.sk` sent only in the run's header) would be sent in
 * place of the header's and end the session. Each figure is the median over the runs of its page.
 */
export async function measureLighthouse(pages: LighthousePage[], runs: number): Promise<LighthouseResult[]> {
  const all = pages.map(() => [] as (LighthouseRun & { version: string })[])
  let browser = ''
  for (let r = 0; r < runs; r++) {
    for (const [i, p] of pages.entries()) {
      const chromium = await startChromium()
      try {
        browser = chromium.browser
        all[i].push(await once(p, chromium.port))
      } finally {
        chromium.stop()
      }
    }
  }
  return pages.map((p, i) => {
    const rs = all[i]
    const med = (k: 'performance' | 'accessibility' | 'tbt' | 'maxPotentialFid' | 'fcp' | 'lcp' | 'domSize' | 'benchmarkIndex') => median(rs.map((x) => x[k]))
    return {
      page: p.page,
      runs: rs.length,
      performance: med('performance'),
      accessibility: med('accessibility'),
      tbt: med('tbt'),
      maxPotentialFid: med('maxPotentialFid'),
      fcp: med('fcp'),
      lcp: med('lcp'),
      domSize: med('domSize'),
      benchmarkIndex: med('benchmarkIndex'),
      a11yFailures: [...new Set(rs.flatMap((x) => x.a11yFailures))],
      lighthouseVersion: rs[0].version,
      chromium: browser,
    }
  })
}
