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

// The production bundle runs with NODE_ENV=production: Vue's and Vike's production code (with
// anything else Vike warns that the environment is contradictory, and Vue renders with its slower
// development build). A fresh machine has none of what a deployment must configure, so unless
// NODE_ENV was set explicitly, LOCAL_START keeps the local defaults (embedded PostgreSQL, memory
// store, generated secret, mail to files) that a strict production configuration refuses.
// Environment variables, set before any server module loads, because Vue and Vike read NODE_ENV
// from process.env alone, and cluster workers run this script again and inherit both.
if (!process.env.NODE_ENV) {
  process.env.NODE_ENV = 'production'
  process.env.LOCAL_START = 'true'
}

await import('./index.js')
