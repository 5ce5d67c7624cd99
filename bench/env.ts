// The bench's surroundings, like scripts/test.mjs: finds PostgreSQL and Redis, works in a fresh
// database and Redis key prefix, migrates with sequelize-cli, builds when needed, starts child
// processes, and undoes all of it (even on failure) through `cleanup()`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { freePort, scratchStores } from '../scripts/scratch-stores.mjs'
import { SERVER_ENTRY, buildState } from '../server/buildState.js'

export { freePort }

const t0 = Date.now()
export const log = (...a: unknown[]) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a)

const cleanups: (() => Promise<void> | void)[] = []
const children: ChildProcess[] = []

/** Registers an undo step; they run in reverse order. */
export function onCleanup(fn: () => Promise<void> | void) {
  cleanups.push(fn)
}

export async function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
  await Promise.all(children.map((c) => waitExit(c, 5000)))
  for (const fn of cleanups.reverse()) {
    try {
      await fn()
    } catch (e) {
      console.error('[bench] cleanup:', e instanceof Error ? e.message : e)
    }
  }
  cleanups.length = 0
}

function waitExit(c: ChildProcess, ms: number) {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      c.kill('SIGKILL')
      resolve()
    }, ms)
    c.once('exit', () => {
      clearTimeout(t)
      resolve()
    })
  })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A fresh database (dropped WITH (FORCE) at cleanup) and a Redis prefix (its keys deleted). */
export function prepareStores(run: string) {
  return scratchStores({ tag: 'bench', run, log, onCleanup })
}

function bin(name: string) {
  return path.resolve('node_modules/.bin', name)
}

export function migrate(databaseUrl: string) {
  const res = spawnSync(bin('sequelize-cli'), ['db:migrate'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
    encoding: 'utf8',
  })
  if (res.status !== 0) throw new Error(`sequelize-cli db:migrate failed:\n${res.stdout}\n${res.stderr}`)
}

/**
 * A client bundle built with NODE_ENV other than production (scripts/test.mjs builds with
 * NODE_ENV=test) carries Vue's development code: its warnings give it away.
 */
function developmentBuild(): boolean {
  const dir = 'dist/client/assets'
  if (!existsSync(dir)) return false
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f.endsWith('.js') && readFileSync(path.join(dir, f), 'utf8').includes('[Vue warn]')) return true
  }
  return false
}

/** Builds unless the build is there, up to date and a production one (`skip` only warns). */
export function ensureBuild(skip: boolean) {
  const state = buildState()
  const missing = state === 'missing'
  const stale = state === 'stale'
  const dev = !missing && !stale && developmentBuild()
  if (!missing && !stale && !dev) return 'up to date'
  const why = missing
    ? 'dist/server/entry.mjs is missing'
    : stale
      ? 'sources are newer than dist/'
      : 'dist/ is a development build (built with NODE_ENV other than production, e.g. by npm test)'
  if (skip && !missing) {
    log(`warning: ${why} (--no-build given): measuring it anyway`)
    return stale ? 'stale (kept)' : 'development build (kept)'
  }
  log(`building (${why})`)
  const res = spawnSync(bin('vite'), ['build', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  if (res.status !== 0) throw new Error('vite build failed')
  return `rebuilt because ${why}`
}

export interface Child {
  proc: ChildProcess
  url: string
  logFile: string
  /** The last lines of its output, for error messages. */
  tail(): string
}

/**
 * Starts `node <nodeArgs> --import tsx --import <this checkout's dist/server/entry.mjs> <script>`
 * (what `tsx <script>` does, plus the preload); output goes to a log file (printed if it dies).
 *
 * Why the preload: in production Vike finds the build through a file inside node_modules
 * (@brillout/vite-plugin-server-entry's autoImporter.js) that every `vite build` rewrites to
 * point at ITS dist/. With several checkouts sharing one node_modules, a server would render
 * with whichever checkout built last, and reference assets its own dist/client does not have.
 * Importing our entry.mjs first registers this checkout's build, so the autoImporter is unused.
 */
export function startTsx(name: string, script: string, env: NodeJS.ProcessEnv, port: number, nodeArgs: string[] = []): Child {
  const dir = mkdtempSync(path.join(os.tmpdir(), `nid-bench-${name}-`))
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  const logFile = path.join(dir, 'output.log')
  const out = createWriteStream(logFile)
  const entry = pathToFileURL(path.resolve(SERVER_ENTRY)).href
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--import', entry, script], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  proc.stdout!.pipe(out)
  proc.stderr!.pipe(out)
  children.push(proc)
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')
    } catch {
      return ''
    }
  }
  proc.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) setTimeout(() => console.error(`[bench] ${name} exited with ${code}:\n${tail()}`), 200)
  })
  return { proc, url: `http://127.0.0.1:${port}`, logFile, tail }
}

export async function waitReady(child: Child, pathname: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) {
      await sleep(200) // let its last output reach the log file
      throw new Error(`${child.url} exited before it was ready:\n${child.tail()}`)
    }
    try {
      const res = await fetch(`${child.url}${pathname}`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(150)
  }
  throw new Error(`${child.url} did not become ready in ${timeoutMs / 1000} s:\n${child.tail()}`)
}

export function tempDir(tag: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `nid-bench-${tag}-`))
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
