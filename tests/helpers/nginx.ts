// The shipped docker/nginx.conf, run as a plain nginx process in front of local app processes.
// The test config is the shipped file itself with only what ties it to Docker replaced: the
// upstream server line (`app:3000 resolve`, one per replica here, same parameters), the listen
// port, log/pid/temp paths, the `user` and `resolver` lines. Every substitution must match, so a
// change to the shipped file that the tests could no longer follow fails loudly instead of
// silently testing something else.
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '../../scripts/scratch-stores.mjs'

export function findNginx(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    const p = path.join(dir, 'nginx')
    if (dir && existsSync(p)) return p
  }
  return undefined
}

function substitute(conf: string, from: RegExp, to: string | ((...m: string[]) => string)): string {
  if (!from.test(conf)) throw new Error(`docker/nginx.conf no longer matches ${from}: update tests/helpers/nginx.ts`)
  return conf.replace(from, to as string)
}

/** docker/nginx.conf with local upstreams, port and paths. */
export function testNginxConfig(opts: { upstreamPorts: number[]; port: number; dir: string }): string {
  let conf = readFileSync(path.resolve('docker/nginx.conf'), 'utf8')
  conf = substitute(conf, /^user .*;\n/m, '')
  conf = substitute(conf, /^error_log \S+ (\w+);/m, (_m, level) => `error_log ${opts.dir}/error.log ${level};\npid ${opts.dir}/nginx.pid;\ndaemon off;`)
  conf = substitute(conf, /^(\s*)access_log \S+ json;/m, (_m, indent) => `${indent}access_log ${opts.dir}/access.log json;`)
  conf = substitute(conf, /^\s*resolver .*;\n/m, '')
  // One line per replica, with the shipped parameters (max_fails, fail_timeout...) minus `resolve`.
  conf = substitute(conf, /^(\s*)server app:3000 resolve([^;]*);/m, (_m, indent, params) =>
    opts.upstreamPorts.map((p) => `${indent}server 127.0.0.1:${p}${params};`).join('\n'),
  )
  conf = substitute(conf, /^(\s*)listen 80 default_server;/m, (_m, indent) => `${indent}listen 127.0.0.1:${opts.port} default_server;`)
  // Debian's build keeps temporary files under /var/lib/nginx: keep them in the test's directory.
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${opts.dir}/${t}_temp;`).join('\n')
  conf = substitute(conf, /^http \{\n/m, `http {\n${temps}\n`)
  return conf
}

export interface TestNginx {
  url: string
  port: number
  child: ChildProcess
  errorLog: () => string
  accessLog: () => string
  stop: () => Promise<void>
}

export async function startNginx(upstreamPorts: number[], listenPort?: number): Promise<TestNginx> {
  const bin = findNginx()
  if (!bin) throw new Error('nginx not found in PATH or /usr/sbin (Debian: apt-get install -y nginx-light)')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nid-nginx-'))
  // Run as root, nginx's workers run as `nobody` and must reach the temp directories.
  chmodSync(dir, 0o755)
  const port = listenPort ?? (await freePort())
  writeFileSync(path.join(dir, 'nginx.conf'), testNginxConfig({ upstreamPorts, port, dir }))
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : '')
  // -e: the error log before the config is read (the default path may not be writable).
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/healthz`).then(() => true, () => false)) {
      return { url, port, child, errorLog: () => read('error.log'), accessLog: () => read('access.log'), stop }
    }
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const why = `${output}\n${read('error.log')}`
  await stop()
  throw new Error(`nginx did not start:\n${why}`)
}
