#!/usr/bin/env node
// `npm test`: the whole suite against real PostgreSQL, Redis and Chromium.
// Finds services (DATABASE_URL / REDIS_URL, else local servers on the standard ports, else an
// embedded PostgreSQL and a redis-server from PATH), works in a fresh database and Redis key
// prefix, builds, starts two app servers, runs Vitest then Playwright, and cleans up.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { findChromium } from './chromium.mjs'
import { freePort, scratchStores } from './scratch-stores.mjs'

const run = randomBytes(4).toString('hex')
// `npm test -- <file or pattern>...` runs just the matching Vitest files and Playwright specs.
const only = process.argv.slice(2)
const children = []
const cleanups = []
const log = (...a) => console.log('[test]', ...a)

function npx(args, env, opts = {}) {
  const res = spawnSync(path.resolve('node_modules/.bin', args[0]), args.slice(1), { stdio: 'inherit', env, ...opts })
  return res.status ?? 1
}

async function waitReady(url) {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`server at ${url} did not become ready`)
}

function readCounts(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

async function main() {
  const chromium = await findChromium()
  log(`chromium (${chromium.source}): ${chromium.path}`)
  const stores = await scratchStores({ tag: 'test', run, log, onCleanup: (fn) => cleanups.push(fn) })
  const mailDir = mkdtempSync(path.join(os.tmpdir(), 'nid-test-mail-'))
  cleanups.push(async () => rmSync(mailDir, { recursive: true, force: true }))
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'nid-test-results-'))
  cleanups.push(async () => rmSync(resultsDir, { recursive: true, force: true }))

  const [portA, portB] = [await freePort(), await freePort()]
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: stores.redisUrl,
    REDIS_PREFIX: stores.redisPrefix,
    SESSION_SECRETS: `test-secret-${run}-0123456789abcdef0123456789`,
    KDF_LOG_N: '12',
    MAIL_DIR: mailDir,
    ...chromium.env,
    CHROMIUM_PATH: chromium.path,
    CHROMIUM_ARGS: JSON.stringify(chromium.args),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    RATE_REGISTER_PER_IP: '10000',
    RATE_LOGIN_PER_IP: '10000',
    BASE_URL: `http://localhost:${portA}`,
    SECOND_URL: `http://localhost:${portB}`,
  }

  log('migrating with sequelize-cli (and checking that every migration reverses)')
  if (npx(['sequelize-cli', 'db:migrate'], env) !== 0) throw new Error('db:migrate failed')
  if (npx(['sequelize-cli', 'db:migrate:undo:all'], env) !== 0) throw new Error('db:migrate:undo:all failed')
  if (npx(['sequelize-cli', 'db:migrate'], env) !== 0) throw new Error('db:migrate failed after undo')

  log('building')
  // The build is a production build whatever NODE_ENV the servers run with (test).
  if (npx(['vite', 'build', '--logLevel', 'warn'], { ...env, NODE_ENV: 'production' }) !== 0) throw new Error('build failed')

  for (const [port, name] of [[portA, 'A'], [portB, 'B']]) {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['server/index.ts'], {
      env: { ...env, PORT: String(port), APP_ORIGIN: `http://localhost:${port}` },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    child.on('exit', (code) => code && code !== 0 && log(`server ${name} exited with ${code}`))
    children.push(child)
  }
  await Promise.all([waitReady(env.BASE_URL), waitReady(env.SECOND_URL)])
  log(`servers ready on ${portA} and ${portB}`)

  const vitestJson = path.join(resultsDir, 'vitest.json')
  const filter = only.length ? ['--passWithNoTests', ...only] : []
  const vitestStatus = npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...filter], env)
  const pwJson = path.join(resultsDir, 'playwright.json')
  const pwFilter = only.length ? ['--pass-with-no-tests', ...only] : []
  const pwStatus = npx(['playwright', 'test', ...pwFilter], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson })

  const v = readCounts(vitestJson)
  const p = readCounts(pwJson)
  const vitestPassed = v?.numPassedTests ?? 0
  const vitestFailed = (v?.numFailedTests ?? 0) + (v ? 0 : 1)
  const pwPassed = p?.stats?.expected ?? 0
  const pwFailed = (p?.stats?.unexpected ?? 0) + (p ? 0 : 1)
  const pwFlaky = p?.stats?.flaky ?? 0
  log(`vitest: ${vitestPassed} passed, ${vitestFailed} failed; playwright: ${pwPassed} passed, ${pwFailed} failed, ${pwFlaky} flaky`)
  let ok = vitestStatus === 0 && pwStatus === 0
  if (only.length ? vitestPassed + pwPassed === 0 : vitestPassed === 0 || pwPassed === 0) {
    console.error('[test] a suite ran zero tests: failing')
    ok = false
  }
  console.log(`${vitestPassed + pwPassed + pwFlaky} passed, ${vitestFailed + pwFailed} failed`)
  return ok
}

let ok = false
try {
  ok = await main()
} catch (e) {
  console.error('[test]', e instanceof Error ? e.message : e)
} finally {
  for (const c of children) c.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 300))
  for (const fn of cleanups.reverse()) await fn().catch((e) => console.error('[test] cleanup:', e.message))
}
process.exit(ok ? 0 : 1)
