// zxcvbn in worker threads. Scoring costs 10–20 ms for a strong random password and up to a
// second for a crafted one (every l33t variant of it is matched against 20 dictionaries): on the
// event loop that stalls every request of the process, and an import scores thousands. The pool
// keeps it off the loop and spreads an import over the cores. One thread stays up (its
// dictionaries take ~90 MB and ~0.4 s to load); the others start on demand and leave when idle.
// Idle threads do not keep a process alive; the server closes the pool when it shuts down.
// The queue is bounded: past STRENGTH_QUEUE_MAX waiting tasks, new work is refused at once (503
// with Retry-After) instead of waiting behind everyone else's for minutes.
import { availableParallelism } from 'node:os'
import Tinypool from 'tinypool'
import { BusyError, RETRY_AFTER_SECONDS } from './errors.js'

export interface StrengthJob {
  password: string
  /** What the password is scored against besides itself (shared/strengthInputs.ts). */
  inputs: string[]
}

export const STRENGTH_THREADS = Math.max(1, availableParallelism())

/** Tasks that may wait for a thread (config STRENGTH_QUEUE_MAX; the server sets it at start). */
export const DEFAULT_STRENGTH_QUEUE_MAX = 32
// Unbounded until the server sets it: code that uses the services without a server (tests that
// register users in bulk, the bench) waits its turn instead of being refused.
let queueMax = Infinity

export const BUSY_MESSAGE = 'NucleusID is busy checking the strength of passwords. Please try again in a few seconds.'

let pool: Tinypool | null = null

export function setStrengthQueueMax(max: number) {
  queueMax = max
}

/** Scoring tasks waiting for a thread now. */
export const strengthQueueSize = () => pool?.queueSize ?? 0

/**
 * Refuses new scoring work (BusyError: 503 + Retry-After) while the queue is at its bound. Call it
 * right before the work's first `scoreOnPool`, in the same tick, so that the check holds under
 * parallel requests. Work already admitted (an import's next tasks) is not refused halfway.
 */
export function admitScoring(): void {
  if (strengthQueueSize() >= queueMax) throw new BusyError(RETRY_AFTER_SECONDS, BUSY_MESSAGE)
}

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
