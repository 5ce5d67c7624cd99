// zxcvbn in worker threads. Scoring costs 10–20 ms for a strong random password and up to a
// second for a crafted one (every l33t variant of it is matched against 20 dictionaries): on the
// event loop that stalls every request of the process, and an import scores thousands. The pool
// keeps it off the loop and spreads an import over the cores. One thread stays up (its
// dictionaries take ~90 MB and ~0.4 s to load); the others start on demand and leave when idle.
// Idle threads do not keep a process alive; the server closes the pool when it shuts down.
import { availableParallelism } from 'node:os'
import Tinypool from 'tinypool'

export interface StrengthJob {
  password: string
  /** What the password is scored against besides itself (shared/strengthInputs.ts). */
  inputs: string[]
}

export const STRENGTH_THREADS = Math.max(1, availableParallelism())

let pool: Tinypool | null = null

function getPool(): Tinypool {
  pool ??= new Tinypool({
    filename: new URL('./strengthWorker.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: STRENGTH_THREADS,
    idleTimeout: 60_000,
  })
  return pool
}

/** zxcvbn scores of the jobs, in order, computed on one pool thread. Rejects when `signal` aborts. */
export function scoreOnPool(jobs: StrengthJob[], signal?: AbortSignal): Promise<number[]> {
  return getPool().run(jobs, { signal }) as Promise<number[]>
}

/** Ends the pool's threads (shutdown; tests). A later call starts a new pool. */
export async function closeStrengthPool(): Promise<void> {
  const closing = pool
  pool = null
  await closing?.destroy()
}
