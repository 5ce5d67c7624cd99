// `npm start`: builds the client and server bundles when they are missing or older than the
// sources, then starts the server. A fresh clone needs nothing but `npm ci && npm start`.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'

const ENTRY = 'dist/server/entry.mjs'
const SOURCES = ['pages', 'renderer', 'components', 'stores', 'schemas', 'vite.config.ts', 'package-lock.json']

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  return Math.max(st.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))))
}

if (!existsSync(ENTRY) || Math.max(...SOURCES.map(newestMtime)) > statSync(ENTRY).mtimeMs) {
  console.log('Building NucleusID (first start or sources changed)...')
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

await import('./index.js')
