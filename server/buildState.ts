// Whether dist/ (Vite's client and Vike's server bundle) needs building: used by `npm start`
// (server/start.ts) and the bench. A build is needed when it is missing or older than the sources.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

export const SERVER_ENTRY = 'dist/server/entry.mjs'
const SOURCES = ['pages', 'renderer', 'components', 'stores', 'schemas', 'shared', 'vite.config.ts', 'package-lock.json']

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  return Math.max(st.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))))
}

export function buildState(): 'missing' | 'stale' | 'fresh' {
  if (!existsSync(SERVER_ENTRY)) return 'missing'
  return Math.max(...SOURCES.map(newestMtime)) > statSync(SERVER_ENTRY).mtimeMs ? 'stale' : 'fresh'
}
