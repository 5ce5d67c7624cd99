// Opening /dashboard in headless Chromium with a cold cache (a new context per run), logged in
// through the session cookies: time to first byte, first contentful paint, first item visible,
// requests and bytes transferred (compression on, as a browser asks for it).
import { existsSync } from 'node:fs'
import { chromium } from '@playwright/test'
import { findChromium } from '../scripts/chromium.mjs'
import { median } from './seed.js'

interface Probe {
  __bench: { painted?: number; laidOut?: number }
}

export interface BrowserRun {
  ttfb: number
  fcp: number
  /** Element Timing renderTime of the first row's name: when it was painted. */
  firstItem: number
  /** The first animation frame in which the first row was laid out in the viewport (fallback). */
  firstItemLaidOut: number
  requests: number
  bytes: number
  consoleProblems: number
}

export interface BrowserResult extends BrowserRun {
  runs: number
  consoleProblems: number
}

// From the very start of the document: tags the first row's name for Element Timing (its
// renderTime is when that text was painted), and, as a fallback, polls every frame until the row
// exists and is laid out inside the viewport.
const FIRST_ITEM_PROBE = `(() => {
  const w = window
  w.__bench = {}
  const mo = new MutationObserver(() => {
    const el = document.querySelector('ul[aria-label="Items"] > li > a > b')
    if (el) { el.setAttribute('elementtiming', 'bench-first-item'); mo.disconnect() }
  })
  mo.observe(document, { childList: true, subtree: true })
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.identifier === 'bench-first-item' && w.__bench.painted === undefined) w.__bench.painted = e.renderTime || e.loadTime
    }).observe({ type: 'element', buffered: true })
  } catch {}
  const tick = () => {
    const el = document.querySelector('ul[aria-label="Items"] > li')
    if (el) {
      const r = el.getBoundingClientRect()
      if (r.height > 0 && r.top < innerHeight) { w.__bench.laidOut = performance.now(); return }
    }
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})()`

/** The same Chromium as `npm test` (scripts/chromium.mjs): CHROMIUM_PATH, the system's, Playwright's, or @sparticuz/chromium. */
async function chromiumBinary() {
  const found = await findChromium()
  if (!existsSync(found.path)) throw new Error(`No Chromium at ${found.path}. Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`)
  return found
}

/** The Chromium every browser measure of the bench drives (this one and bench/lighthouse.ts): binary, flags, environment. */
export async function benchChromium(): Promise<{ path: string; args: string[]; env: NodeJS.ProcessEnv }> {
  const binary = await chromiumBinary()
  return {
    path: binary.path,
    args: [...new Set([...binary.args, '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'])],
    env: { ...process.env, ...binary.env },
  }
}

export async function measureBrowser(base: string, cookies: Map<string, string>, runs: number): Promise<BrowserResult> {
  const binary = await benchChromium()
  const browser = await chromium.launch({ executablePath: binary.path, args: binary.args, env: binary.env })
  try {
    const results: BrowserRun[] = []
    // One unmeasured run first: starts Chromium's own processes, so run 1 is not an outlier.
    for (let i = 0; i <= runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      try {
        await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: base })))
        const page = await context.newPage()
        let consoleProblems = 0
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') consoleProblems++
        })
        page.on('pageerror', () => consoleProblems++)
        await page.addInitScript(FIRST_ITEM_PROBE)
        const res = await page.goto(`${base}/dashboard`, { waitUntil: 'load' })
        if (!res || res.status() !== 200 || new URL(page.url()).pathname !== '/dashboard') {
          throw new Error(`browser: /dashboard answered ${res?.status()} at ${page.url()}`)
        }
        await page.waitForFunction(() => (window as unknown as Probe).__bench.laidOut !== undefined, null, { timeout: 15_000 })
        // Everything the page loads after hydration (lazy chunks) counts too.
        await page.waitForLoadState('networkidle')
        const m = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
          const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[]
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]
          return {
            ttfb: nav.responseStart - nav.startTime,
            fcp: fcp ? fcp.startTime : NaN,
            firstItem: (window as unknown as Probe).__bench.painted ?? NaN,
            firstItemLaidOut: (window as unknown as Probe).__bench.laidOut!,
            requests: 1 + resources.length,
            bytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
          }
        })
        if (i > 0) results.push({ ...m, consoleProblems })
      } finally {
        await context.close()
      }
    }
    const med = (k: keyof BrowserRun) => median(results.map((r) => r[k]))
    return {
      runs,
      ttfb: med('ttfb'),
      fcp: med('fcp'),
      firstItem: med('firstItem'),
      firstItemLaidOut: med('firstItemLaidOut'),
      requests: med('requests'),
      bytes: med('bytes'),
      consoleProblems: results.reduce((n, r) => n + r.consoleProblems, 0),
    }
  } finally {
    await browser.close()
  }
}
