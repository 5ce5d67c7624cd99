// CPU time used by a process and its descendants (Linux /proc), to measure the server's CPU cost
// per request: unlike requests/s, it does not move when other processes share the cores.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

let ticksPerSecond = 100
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
} catch {
  // the Linux default
}

export const cpuAvailable = () => existsSync('/proc/self/stat')

function children(pid: number): number[] {
  const out: number[] = []
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim()
      if (list) out.push(...list.split(/\s+/).map(Number))
    }
  } catch {
    // gone
  }
  return out
}

function ownTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/** User + system CPU milliseconds of `pid` and every live descendant (tsx runs node as a child). */
export function treeCpuMs(pid: number): number {
  let ticks = 0
  const stack = [pid]
  while (stack.length) {
    const p = stack.pop()!
    ticks += ownTicks(p)
    stack.push(...children(p))
  }
  return (ticks * 1000) / ticksPerSecond
}
