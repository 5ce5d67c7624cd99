// One worker's memory under sustained load: autocannon at 50 connections on /dashboard for a
// while, sampling the server process's resident set size (VmRSS in /proc/<pid>/status) every
// second. The figure that matters is the RSS at the end of the run (the heap has settled into what
// this load needs); the peak sample and the kernel's high-water mark (VmHWM, over the process's
// whole life, so the bench's earlier load included) are printed beside it.
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

export const MEMORY_CONNECTIONS = 50

export interface MemoryResult {
  seconds: number
  connections: number
  /** MB (2^20 bytes). */
  rssBefore: number
  rssEnd: number
  rssPeak: number
  hwm: number
  rps: number
  errors: number
  non2xx: number
}

/** A field of /proc/<pid>/status in MB (the kernel writes kB), NaN when unreadable. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}

export async function measureMemory(url: string, headers: Record<string, string>, pid: number, seconds: number): Promise<MemoryResult> {
  const rssBefore = statusMb(pid, 'VmRSS')
  const samples: number[] = []
  const timer = setInterval(() => samples.push(statusMb(pid, 'VmRSS')), 1000)
  let res: Awaited<ReturnType<typeof autocannon>>
  try {
    res = await autocannon({ url, headers, connections: MEMORY_CONNECTIONS, duration: seconds, timeout: 10 })
  } finally {
    clearInterval(timer)
  }
  // Read once more as the last requests finish: the end of the run.
  const rssEnd = statusMb(pid, 'VmRSS')
  return {
    seconds,
    connections: MEMORY_CONNECTIONS,
    rssBefore,
    rssEnd,
    rssPeak: Math.max(rssEnd, ...samples),
    hwm: statusMb(pid, 'VmHWM'),
    rps: res['2xx'] / res.duration,
    errors: res.errors + res.timeouts,
    non2xx: res.non2xx,
  }
}
