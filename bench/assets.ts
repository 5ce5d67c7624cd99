// What a /dashboard HTML page costs the browser: its first-load JS and CSS (gzip -9 sizes of the
// files it references under /assets/) and what it serializes for hydration.
import { gzipSync } from 'node:zlib'

export interface FirstLoad {
  jsGzip: number
  cssGzip: number
  jsFiles: number
  cssFiles: number
}

function attr(tag: string, name: string): string | null {
  return new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1] ?? null
}

/**
 * Every script src, modulepreload href and stylesheet href under /assets/ in the page, fetched
 * from the server as it serves them (uncompressed) and gzipped at level 9.
 */
export async function firstLoad(html: string, base: string): Promise<FirstLoad> {
  const js = new Set<string>()
  const css = new Set<string>()
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const isScript = /^<script/i.test(tag)
    const rel = (attr(tag, 'rel') ?? '').toLowerCase()
    const url = isScript ? attr(tag, 'src') : attr(tag, 'href')
    if (!url || !url.startsWith('/assets/')) continue
    if (isScript || rel === 'modulepreload') js.add(url)
    else if (rel === 'stylesheet') css.add(url)
  }
  const gz = async (url: string) => {
    const res = await fetch(`${base}${url}`, { headers: { 'accept-encoding': 'identity' } })
    if (!res.ok) {
      throw new Error(`GET ${url} answered ${res.status}: the server renders a build other than this dist/ (rebuilt during the bench?). Run it again.`)
    }
    return gzipSync(Buffer.from(await res.arrayBuffer()), { level: 9 }).length
  }
  const sum = async (urls: Set<string>) => (await Promise.all([...urls].map(gz))).reduce((a, b) => a + b, 0)
  return { jsGzip: await sum(js), cssGzip: await sum(css), jsFiles: js.size, cssFiles: css.size }
}

export interface Serialized {
  /** Characters of the vike_pageContext JSON (what the client parses to hydrate). */
  stateBytes: number
  /** Occurrences of the canary item's name (and id) inside that JSON: 1 = shipped once. */
  nameInState: number
  idInState: number
  /** ... and in the whole HTML (markup included: name, copy-button label, state). */
  nameInHtml: number
}

const count = (haystack: string, needle: string) => (needle ? haystack.split(needle).length - 1 : 0)

function pageContextJson(html: string): string {
  const json = /<script id="vike_pageContext" type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1]
  if (json === undefined) throw new Error('no <script id="vike_pageContext"> in the /dashboard HTML')
  JSON.parse(json) // must be valid JSON
  return json
}

/** Bytes of the serialized page context (vike_pageContext) in a page, any page (an empty vault's too). */
export const pageContextBytes = (html: string) => Buffer.byteLength(pageContextJson(html))

export function serializedState(html: string, canary: { id: string; name: string }): Serialized {
  const json = pageContextJson(html)
  return {
    stateBytes: Buffer.byteLength(json),
    nameInState: count(json, canary.name),
    idInState: count(json, canary.id),
    nameInHtml: count(html, canary.name),
  }
}
