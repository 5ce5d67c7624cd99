// `npm start`: builds the client and server bundles when they are missing or older than the
// sources, then starts the server. A fresh clone needs nothing but `npm ci && npm start`.
import { spawnSync } from 'node:child_process'
import { buildState } from './buildState.js'

if (buildState() !== 'fresh') {
  console.log('Building NucleusID (first start or sources changed)...')
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

await import('./index.js')
