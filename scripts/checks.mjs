// Checks scripts/test.mjs runs after the suite, so that a green run means something: every test
// file on disk reported results, both Playwright projects ran the same specs, and the servers'
// output holds none of the secrets the tests send them. Each returns a list of problems.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..')

/** Files under `dir` (relative to the repository) whose name matches `re`. */
function filesUnder(dir, re) {
  const out = []
  const walk = (d) => {
    let entries
    try {
      entries = readdirSync(path.join(root, d), { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue
      const rel = path.join(d, e.name)
      if (e.isDirectory()) walk(rel)
      else if (re.test(e.name)) out.push(rel)
    }
  }
  walk(dir)
  return out.sort()
}

// Where Vitest tests live; vitest.config.ts must include them all.
export const VITEST_DIRS = ['server', 'schemas', 'shared', 'tests/integration']

/**
 * Every *.test.ts under VITEST_DIRS must have reported at least one passed or failed test: a
 * file left out by the config, skipped whole, or failing to load (no tests) is a problem.
 * @param report Vitest's JSON report
 */
export function checkVitestRan(report) {
  const ran = new Set()
  for (const file of report.testResults ?? []) {
    if ((file.assertionResults ?? []).some((a) => a.status === 'passed' || a.status === 'failed')) {
      ran.add(path.relative(root, file.name))
    }
  }
  const problems = []
  for (const dir of VITEST_DIRS) {
    const onDisk = filesUnder(dir, /\.test\.ts$/)
    const missing = onDisk.filter((f) => !ran.has(f))
    if (missing.length) problems.push(`vitest: ${dir}/ holds ${onDisk.length} test files, ${onDisk.length - missing.length} ran tests; not run: ${missing.join(', ')}`)
  }
  return problems
}

export const PLAYWRIGHT_PROJECTS = ['no-js', 'js']
const E2E_DIR = 'tests/e2e'

/**
 * Both projects (JavaScript off and on) must each have run tests, from every spec file on disk.
 * @param report Playwright's JSON report
 */
export function checkPlaywrightRan(report) {
  const ranFiles = new Map(PLAYWRIGHT_PROJECTS.map((p) => [p, new Set()]))
  const ranCount = new Map(PLAYWRIGHT_PROJECTS.map((p) => [p, 0]))
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (!ranFiles.has(t.projectName)) ranFiles.set(t.projectName, new Set())
        if (t.status === 'skipped') continue
        ranFiles.get(t.projectName).add(path.basename(spec.file))
        ranCount.set(t.projectName, (ranCount.get(t.projectName) ?? 0) + 1)
      }
    }
    for (const s of suite.suites ?? []) walk(s)
  }
  for (const s of report.suites ?? []) walk(s)

  const onDisk = filesUnder(E2E_DIR, /\.spec\.ts$/).map((f) => path.basename(f))
  const problems = []
  for (const project of PLAYWRIGHT_PROJECTS) {
    const files = ranFiles.get(project)
    if (!ranCount.get(project)) problems.push(`playwright: project ${project} ran no tests`)
    const missing = onDisk.filter((f) => !files.has(f))
    if (missing.length) problems.push(`playwright: project ${project} ran nothing from ${missing.join(', ')}`)
  }
  const [a, b] = PLAYWRIGHT_PROJECTS.map((p) => [...ranFiles.get(p)].sort().join(','))
  if (a !== b) problems.push(`playwright: the projects ran different spec files (${PLAYWRIGHT_PROJECTS.join(': ')} → ${a} | ${b})`)
  return problems
}

// The format of recovery codes (server/lib/crypto.ts): 7 groups of 4.
export const RECOVERY_CODE = /[0-9A-Z]{4}(-[0-9A-Z]{4}){6}/

/**
 * The secrets the tests send: every `export const NAME = '...'` of tests/helpers/canaries.ts and
 * the shared passwords of the HTTP and browser helpers. Read as text (they are TypeScript).
 */
export function canaries() {
  const sources = [
    ['tests/helpers/canaries.ts', /^export const (\w+) = '([^']+)'/gm],
    ['tests/helpers/http.ts', /^export const (PASSWORD) = '([^']+)'/gm],
    ['tests/e2e/helpers.ts', /^export const (PASSWORD) = '([^']+)'/gm],
  ]
  const found = []
  for (const [file, re] of sources) {
    const text = readFileSync(path.join(root, file), 'utf8')
    const here = [...text.matchAll(re)].map((m) => ({ name: `${file}: ${m[1]}`, value: m[2] }))
    // A renamed constant must not quietly turn the check off.
    if (!here.length) throw new Error(`no canary constants found in ${file}`)
    found.push(...here)
  }
  return found
}

/**
 * Greps the captured output for each canary (as typed, URL-encoded and form-encoded, as a log
 * of a request might hold it) and for anything shaped like a recovery code.
 * @param logs {{ name: string, file: string }[]}
 */
export function checkLogsForCanaries(logs) {
  const needles = canaries().flatMap(({ name, value }) =>
    [...new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)])].map((form) => ({ name, form })),
  )
  const problems = []
  for (const { name: where, file } of logs) {
    const lines = readFileSync(file, 'utf8').split('\n')
    lines.forEach((line, i) => {
      for (const { name, form } of needles) {
        if (line.includes(form)) problems.push(`${where} output line ${i + 1} holds the secret ${name}`)
      }
      const code = RECOVERY_CODE.exec(line)
      if (code) problems.push(`${where} output line ${i + 1} holds a recovery code (${code[0].slice(0, 4)}-…)`)
    })
  }
  return problems
}

/**
 * One line per failed test with the first line of its error, printed last by scripts/test.mjs:
 * CI shows only the tail of the output, and a count alone does not say what to fix.
 * @param v Vitest's JSON report, or null
 * @param p Playwright's JSON report, or null
 */
export function failedTests(v, p) {
  const firstLine = (s) => String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim())?.trim().slice(0, 240) ?? ''
  const out = []
  for (const file of v?.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed')
    for (const a of failed) out.push(`vitest ${path.relative(root, file.name)} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`)
    if (!failed.length && file.status === 'failed') out.push(`vitest ${path.relative(root, file.name)}: ${firstLine(file.message)}`)
  }
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'unexpected') continue
        const last = t.results?.at(-1)
        out.push(`playwright [${t.projectName}] ${spec.file}:${spec.line} › ${spec.title}: ${firstLine(last?.error?.message ?? last?.status)}`)
      }
    }
    for (const s of suite.suites ?? []) walk(s)
  }
  for (const s of p?.suites ?? []) walk(s)
  return out
}
