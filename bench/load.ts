// Load generation with autocannon (in the bench process; the servers are child processes).
// The app and its ceiling are measured one after the other, never at the same time, in
// alternating rounds (A B B A A B ...), so a slow patch of the machine (other processes on these
// 2 cores) hits both about equally and the ratio stays meaningful.
import autocannon from 'autocannon'
import { treeCpuMs } from './cpu.js'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  requests: number
  errors: number
  non2xx: number
  /** req/s of each round, to show the spread. */
  roundRps: number[]
  /** Server CPU (user + system, its process tree) per 2xx response, in ms; NaN without /proc. */
  cpuMsPerRequest: number
}

export interface Target {
  url: string
  headers: Record<string, string>
  /** The server's process id, to read its CPU time around each round. */
  pid?: number
}

export const CONNECTIONS = 10

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

async function once(t: Target, seconds: number, latencies?: number[]) {
  const instance = autocannon({ url: t.url, headers: t.headers, connections: CONNECTIONS, duration: seconds, timeout: 10 })
  if (latencies) {
    ;(instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms)
    })
  }
  return instance
}

/**
 * Warms up each target for `warmupSeconds`, then runs `rounds` rounds of `seconds / rounds` each
 * per target, alternating which goes first. Latency percentiles are over every 2xx response.
 */
export async function compare(targets: [Target, Target], seconds: number, warmupSeconds: number, rounds: number): Promise<[LoadResult, LoadResult]> {
  for (const t of targets) if (warmupSeconds > 0) await once(t, warmupSeconds)
  const acc = targets.map(() => ({ ok: 0, duration: 0, errors: 0, non2xx: 0, latencies: [] as number[], roundRps: [] as number[], cpuMs: 0 }))
  const per = seconds / rounds
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0]
    for (const i of order) {
      const a = acc[i]
      const pid = targets[i].pid
      const cpuBefore = pid ? treeCpuMs(pid) : NaN
      const res = await once(targets[i], per, a.latencies)
      a.cpuMs += pid ? treeCpuMs(pid) - cpuBefore : NaN
      a.ok += res['2xx']
      a.duration += res.duration
      a.errors += res.errors + res.timeouts
      a.non2xx += res.non2xx
      a.roundRps.push(res['2xx'] / res.duration)
    }
  }
  return acc.map((a) => {
    const sorted = a.latencies.sort((x, y) => x - y)
    return {
      rps: a.ok / a.duration,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      requests: a.ok,
      errors: a.errors,
      non2xx: a.non2xx,
      roundRps: a.roundRps,
      cpuMsPerRequest: a.cpuMs / a.ok,
    }
  }) as [LoadResult, LoadResult]
}

export const spread = (xs: number[]) => (xs.length ? `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}` : '')
