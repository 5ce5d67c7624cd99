// Which Chromium the end-to-end tests drive: the one place that decides (scripts/test.mjs passes
// the answer to Playwright as CHROMIUM_PATH and CHROMIUM_ARGS, read by playwright.config.ts).
// Order: CHROMIUM_PATH, the system's /usr/bin/chromium, Playwright's own browser when
// `npx playwright install` fetched it, and last the binary inside the @sparticuz/chromium dev
// dependency (Linux x64), so a fresh machine needs no system package and no download.
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * @returns {Promise<{ path: string, source: string, args: string[], env: Record<string, string> }>}
 *   `args` are extra Chromium flags that binary needs, `env` extra environment for it.
 */
export async function findChromium() {
  const given = process.env.CHROMIUM_PATH
  if (given) {
    if (existsSync(given)) return { path: given, source: 'CHROMIUM_PATH', args: [], env: {} }
    throw new Error(`CHROMIUM_PATH=${given} does not exist`)
  }
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(p)) return { path: p, source: 'system', args: [], env: {} }
  }
  try {
    const { chromium } = await import('playwright-core')
    const p = chromium.executablePath()
    if (p && existsSync(p)) return { path: p, source: 'playwright', args: [], env: {} }
  } catch {
    // playwright-core without a registry entry for this platform: try the next one.
  }
  if (process.platform === 'linux' && process.arch === 'x64') {
    const { default: sparticuz } = await import('@sparticuz/chromium')
    // The package ships chrome-headless-shell built for serverless sandboxes. Of its flags keep
    // only those the binary needs to start here: not --disable-web-security and the like, which
    // would switch off the browser protections the security specs rely on.
    const needed = new Set(['--no-sandbox', '--no-zygote', '--disable-setuid-sandbox'])
    const args = sparticuz.args.filter((a) => needed.has(a))
    const p = await sparticuz.executablePath()
    // Its bundled fonts (decompressed beside the binary) for machines without fontconfig fonts.
    const fonts = path.join(os.tmpdir(), 'fonts')
    const env = existsSync('/etc/fonts/fonts.conf') || !existsSync(fonts) ? {} : { FONTCONFIG_PATH: fonts }
    return { path: p, source: '@sparticuz/chromium', args, env }
  }
  throw new Error(
    'No Chromium found. Set CHROMIUM_PATH, install one (Debian: apt-get install -y chromium), ' +
      'or run `npx playwright install chromium`.',
  )
}
