// What compression costs the server: /dashboard loaded as the rest of the bench loads it (no
// Accept-Encoding, so koa-compress sends it as is) and as a browser asks for it
// (`Accept-Encoding: br, gzip, deflate`, so it is compressed, with brotli), in alternating rounds
// on the same server, reading its CPU time around each round (bench/load.ts).
import { request } from 'node:http'
import { compare, type LoadResult } from './load.js'

export const BROWSER_ACCEPT_ENCODING = 'br, gzip, deflate'

export interface CompressionResult {
  identity: LoadResult
  compressed: LoadResult
  /** The Content-Encoding the server chose for the browser's Accept-Encoding. */
  encoding: string
  /** Bytes of one response body each way. */
  identityBytes: number
  compressedBytes: number
  /** compressed CPU ms/request / identity CPU ms/request. */
  cpuRatio: number
}

/** One GET with exactly these headers (fetch would add its own Accept-Encoding and decode the body). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; encoding: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => (bytes += c.length))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: String(res.headers['content-encoding'] ?? 'identity'), bytes }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

export async function measureCompression(
  url: string,
  headers: Record<string, string>,
  pid: number | undefined,
  seconds: number,
  warmupSeconds: number,
  rounds: number,
): Promise<CompressionResult> {
  const browserHeaders = { ...headers, 'accept-encoding': BROWSER_ACCEPT_ENCODING }
  const plain = await rawGet(url, headers)
  const packed = await rawGet(url, browserHeaders)
  if (plain.status !== 200 || packed.status !== 200) throw new Error(`compression: ${url} answered ${plain.status} / ${packed.status}`)
  const [identity, compressed] = await compare(
    [
      { url, headers, pid },
      { url, headers: browserHeaders, pid },
    ],
    seconds,
    warmupSeconds,
    rounds,
  )
  for (const [name, r] of [['uncompressed', identity], ['compressed', compressed]] as const) {
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`compression (${name}): ${r.non2xx} non-2xx responses, ${r.errors} errors`)
  }
  return {
    identity,
    compressed,
    encoding: packed.encoding,
    identityBytes: plain.bytes,
    compressedBytes: packed.bytes,
    cpuRatio: compressed.cpuMsPerRequest / identity.cpuMsPerRequest,
  }
}
