#!/usr/bin/env node
// `npm test`: the whole suite against real PostgreSQL, Redis and Chromium.
// Finds services (DATABASE_URL / REDIS_URL, else local servers on the standard ports, else an
// embedded PostgreSQL and a redis-server from PATH), works in a fresh database and Redis key
// prefix, builds, starts two app servers, runs Vitest then Playwright, and cleans up.
// A green run also means (see checks.mjs beside it): every test file and both Playwright projects
// ran (full runs only), the servers stayed up, and their output holds none of the tests' secrets.
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { findChromium } from './chromium.mjs'
import { freePort, scratchStores } from './scratch-stores.mjs'
import { checkLogsForCanaries, checkPlaywrightRan, checkVitestRan, failedTests } from './checks.mjs'

const run = randomBytes(4).toString('hex')
// `npm test -- <file or pattern>...` runs just the matching Vitest files and Playwright specs.
const only = process.argv.slice(2)
const servers = []
const cleanups = []
const log = (...a) => console.log('[test]', ...a)

function npx(args, env, opts = {}) {
  const res = spawnSync(path.resolve('node_modules/.bin', args[0]), args.slice(1), { stdio: 'inherit', env, ...opts })
  return res.status ?? 1
}

const echoLevel = Number(process.env.TEST_ECHO_LEVEL ?? 40)
/** A data handler: every line to the file, to the terminal all but pino lines below echoLevel. */
function echoing(terminal, file) {
  let rest = ''
  return (chunk) => {
    file.write(chunk)
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()
    for (const line of lines) {
      const level = /^\{"level":(\d+)/.exec(line)?.[1]
      if (level === undefined || Number(level) >= echoLevel) terminal.write(`${line}\n`)
    }
  }
}

async function waitReady(url) {
  // Generous: on a busy machine (2 cores shared) tsx alone can take half a minute to start.
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) return
    } catch {}
    if (servers.some((s) => s.exitedEarly)) break
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
    // Info and up reach the log files, so that the secrets check sees what production would log;
    // the terminal shows warnings and up (TEST_ECHO_LEVEL), as before.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
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

  // The servers' output goes to the terminal as before and to a file each, checked for secrets
  // after the suite. The files stay (and are named) when a check fails.
  const logsDir = mkdtempSync(path.join(os.tmpdir(), 'nid-test-logs-'))
  let keepLogs = false
  cleanups.push(async () => (keepLogs ? log(`server output kept in ${logsDir}`) : rmSync(logsDir, { recursive: true, force: true })))
  for (const [port, name] of [[portA, 'A'], [portB, 'B']]) {
    const file = path.join(logsDir, `server-${name}.log`)
    const out = createWriteStream(file)
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['server/index.ts'], {
      env: { ...env, PORT: String(port), APP_ORIGIN: `http://localhost:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const server = { name, child, file, out, stopping: false, exitedEarly: null }
    child.stdout.on('data', echoing(process.stdout, out))
    child.stderr.on('data', echoing(process.stderr, out))
    server.closed = new Promise((resolve) => child.once('close', resolve))
    child.once('exit', (code, signal) => {
      if (server.stopping) return
      server.exitedEarly = `${code ?? signal}`
      log(`server ${name} exited during the run (${server.exitedEarly})`)
    })
    servers.push(server)
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
  const vitestSkipped = (v?.numPendingTests ?? 0) + (v?.numTodoTests ?? 0)
  const pwPassed = p?.stats?.expected ?? 0
  const pwFailed = (p?.stats?.unexpected ?? 0) + (p ? 0 : 1)
  const pwFlaky = p?.stats?.flaky ?? 0
  const pwSkipped = p?.stats?.skipped ?? 0
  log(
    `vitest: ${vitestPassed} passed, ${vitestFailed} failed, ${vitestSkipped} skipped; ` +
      `playwright: ${pwPassed} passed, ${pwFailed} failed, ${pwFlaky} flaky, ${pwSkipped} skipped`,
  )
  const problems = []
  if (vitestStatus !== 0) problems.push(`vitest exited with ${vitestStatus}`)
  if (pwStatus !== 0) problems.push(`playwright exited with ${pwStatus}`)
  if (only.length ? vitestPassed + pwPassed === 0 : vitestPassed === 0 || pwPassed === 0) problems.push('a suite ran zero tests')
  // A full run must have run every test file it holds; a subset (`npm test -- pattern`) is
  // smaller on purpose.
  if (!only.length) {
    if (v) problems.push(...checkVitestRan(v))
    if (p) problems.push(...checkPlaywrightRan(p))
  }

  await stopServers()
  for (const s of servers) if (s.exitedEarly) problems.push(`server ${s.name} exited during the run (${s.exitedEarly})`)
  const leaks = checkLogsForCanaries(servers.map((s) => ({ name: `server ${s.name}`, file: s.file })))
  problems.push(...leaks)
  if (leaks.length) keepLogs = true

  for (const line of failedTests(v, p)) console.error(`[test] failed: ${line}`)
  for (const problem of problems) console.error(`[test] FAIL: ${problem}`)
  console.log(`${vitestPassed + pwPassed + pwFlaky} passed, ${vitestFailed + pwFailed} failed, ${vitestSkipped + pwSkipped} skipped`)
  return problems.length === 0
}

/** SIGTERM to both servers; resolves when their output is closed and written to the log files. */
async function stopServers() {
  const running = servers.filter((s) => !s.stopping)
  for (const s of running) {
    s.stopping = true
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM')
  }
  await Promise.race([Promise.all(running.map((s) => s.closed)), new Promise((r) => setTimeout(r, 15_000))])
  await Promise.all(running.map((s) => new Promise((r) => s.out.end(r))))
}

let ok = false
try {
  ok = await main()
} catch (e) {
  console.error('[test]', e instanceof Error ? e.message : e)
} finally {
  await stopServers()
  for (const fn of cleanups.reverse()) await fn().catch((e) => console.error('[test] cleanup:', e.message))
}
process.exit(ok ? 0 : 1)
