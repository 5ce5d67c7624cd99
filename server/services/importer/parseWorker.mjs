// A thread of the import pool (parsePool.ts): reads an uploaded export (readFile.ts) away from the
// event loop. Plain JavaScript that loads the TypeScript module itself, as the strength pool's
// thread does (server/lib/strengthWorker.mjs), so it starts the same under `node --import tsx`
// (npm start, the test servers, Docker), Vitest and the bench.
import Tinypool from 'tinypool'
import { tsImport } from 'tsx/esm/api'

const { readImport, encodeOutcome } = await tsImport('./readFile.ts', import.meta.url)

/**
 * @param {{ bytes: Uint8Array, format: string, keepFolders: boolean }} task
 * @returns {Uint8Array} the outcome as JSON lines, moved to the event loop's thread (not copied)
 */
export default function read(task) {
  return Tinypool.move(encodeOutcome(readImport(task)))
}
