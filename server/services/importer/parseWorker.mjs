// A thread of the import pool (parsePool.ts): reads an uploaded export (readFile.ts) away from the
// event loop. Plain JavaScript that loads the TypeScript module itself, as the strength pool's
// thread does (server/lib/strengthWorker.mjs), so it starts the same under `node --import tsx`
// (npm start, the test servers, Docker), Vitest and the bench.
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { tsImport } from 'tsx/esm/api'

// On Linux a thread has a niceness of its own: this one yields the CPU to the event loop (and
// everything else) when cores are scarce, so reading a file slows down rather than the requests.
// Best effort: elsewhere, or without /proc, the thread runs at the process's priority.
try {
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop()) // "<pid>/task/<tid>"
  if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10)
} catch {
  // not Linux
}

const { readImport } = await tsImport('./readFile.ts', import.meta.url)

/** @param {{ bytes: Uint8Array, format: string, keepFolders: boolean }} task */
export default function read(task) {
  return readImport(task)
}
