// Imports are read (decoded, parsed, mapped, validated) on worker threads: a 5 MB file costs a
// second or more of CPU, and on the event loop that would stall every request of the process
// (docs/decisions/019). Its own pool, apart from the strength pool, so a file being read never
// holds a thread that scores a form's password. Threads start on demand and leave when idle (idle
// threads do not keep the process alive); each has a heap cap, so a file that would need more
// fails alone. A read past its budget is aborted: tinypool ends that thread.
import { availableParallelism } from 'node:os'
import Tinypool from 'tinypool'
import { decodeOutcome, type ReadOutcome, type ReadTask } from './readFile.js'

export const PARSE_THREADS = Math.max(1, Math.min(2, availableParallelism()))

let pool: Tinypool | null = null

function getPool(): Tinypool {
  pool ??= new Tinypool({
    // Beside this module: under tsx (npm start, tests) that is the source tree, as for strengthWorker.mjs.
    filename: new URL('./parseWorker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: PARSE_THREADS,
    idleTimeout: 30_000,
    // A 5 MB file parses in well under 100 MB; far more means something pathological.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  })
  return pool
}

/** Reads a file on a pool thread. Rejects when `signal` aborts (a time budget), or the thread dies. */
export async function readOnPool(task: ReadTask, signal?: AbortSignal): Promise<ReadOutcome> {
  // A copy of the bytes moved to the thread, not cloned again (nor the buffer it may share).
  const bytes = new Uint8Array(task.bytes)
  const answer = (await getPool().run({ ...task, bytes }, { signal, transferList: [bytes.buffer] })) as Uint8Array
  return decodeOutcome(answer)
}

/** Ends the pool's threads (shutdown; tests). A later call starts a new pool. */
export async function closeParsePool(): Promise<void> {
  const closing = pool
  pool = null
  await closing?.destroy()
}
