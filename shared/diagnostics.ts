// The admin diagnostics report (issue 24): its shape, which the server builds
// (server/services/diagnostics.ts) and the page renders (components/admin/DiagnosticsView.vue), and
// the support text made from it. Here rather than in contract.ts: the admin area's own shapes, and
// a function both sides call (the page shows the same text the service's tests check).
// Plain JSON throughout (dates as ISO text): the report goes to the page as it is.

/** What the route reads from the request (Koa's view of it, after TRUST_PROXY). */
export interface RequestFacts {
  /** ctx.protocol: 'https' only from X-Forwarded-Proto under TRUST_PROXY (this server speaks HTTP). */
  protocol: string
  /** ctx.secure */
  secure: boolean
  /** ctx.ip: the client's address under TRUST_PROXY, else the socket's peer. */
  ip: string
  /** ctx.req.socket.remoteAddress: the TCP peer (the proxy, when there is one). */
  remoteAddress: string
  /** The X-Forwarded-* headers as they arrived, whether or not they are trusted. */
  forwardedFor?: string
  forwardedProto?: string
  forwardedHost?: string
  /** ctx.host: X-Forwarded-Host under TRUST_PROXY, else the Host header. */
  host: string
}

/** A probe's answer, or why there is none (the report never throws: it is read when things go wrong). */
export type Probe<T> = ({ ok: true } & T) | { ok: false; error: string }

export interface Verdict {
  level: 'ok' | 'warn'
  text: string
}

/** One setting as the process uses it; a secret's value is never here, only whether it is set. */
export interface ConfigEntry {
  key: string
  value: string
}

export interface ProcessSeen {
  host: string
  pid: number
  startedAt: string
  version: string
  /** The process that built this report. */
  current: boolean
}

/** Shown instead of a Redis version when REDIS_URL is unset (server/lib/kv.ts createMemoryKv). */
export const IN_MEMORY_STORE = 'in-memory (development)'

export interface DiagnosticsReport {
  generatedAt: string
  app: { version: string; commit: string | null; node: string; platform: string; env: string; uptimeSeconds: number }
  postgres: Probe<{ version: string; roundTripMs: number }>
  /** The in-memory store has version IN_MEMORY_STORE and no round trip. */
  redis: Probe<{ version: string; roundTripMs: number | null }>
  /** pending: files not applied yet; unknown: applied, but no file here (the database is newer than this code). */
  migrations: Probe<{ applied: number; latest: string | null; pending: string[]; unknown: string[] }>
  processes: Probe<{ windowSeconds: number; seen: ProcessSeen[] }>
  config: ConfigEntry[]
  /** skewMs > 0: the database's clock is ahead of this process's. */
  clock: Probe<{ skewMs: number; roundTripMs: number }>
  proxy: { request: RequestFacts; verdicts: Verdict[] }
}

const ms = (n: number) => `${n} ms`

function probeLine<T>(label: string, p: Probe<T>, text: (v: T) => string) {
  return `${label}: ${p.ok ? text(p) : `unavailable (${p.error})`}`
}

/** "3 d 4 h", "2 h 5 min", "40 s": the uptime at a glance. */
export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86_400)
  const h = Math.floor((seconds % 86_400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  if (d) return `${d} d ${h} h`
  if (h) return `${h} h ${m} min`
  if (m) return `${m} min`
  return `${Math.floor(seconds)} s`
}

export function formatSkew(skewMs: number): string {
  if (skewMs === 0) return 'in step with this process'
  return `${Math.abs(skewMs)} ms ${skewMs > 0 ? 'ahead of' : 'behind'} this process`
}

/**
 * Plain text for a bug report. It is made only of what the report holds minus the request's
 * addresses (the report holds no secret: the service masks them); it names which X-Forwarded-*
 * headers arrived, not their values.
 */
export function supportText(report: DiagnosticsReport): string {
  const { app } = report
  const { request } = report.proxy
  const present = (v: string | undefined) => (v ? 'present' : 'absent')
  const lines = [
    `NucleusID diagnostics, ${report.generatedAt}`,
    `Version: ${app.version}${app.commit ? ` (commit ${app.commit})` : ''}`,
    `Node: ${app.node} on ${app.platform}, NODE_ENV=${app.env}, up ${formatDuration(app.uptimeSeconds)}`,
    probeLine('PostgreSQL', report.postgres, (p) => `${p.version}, round trip ${ms(p.roundTripMs)}`),
    probeLine('Redis', report.redis, (r) => (r.roundTripMs === null ? r.version : `${r.version}, round trip ${ms(r.roundTripMs)}`)),
    probeLine(
      'Migrations',
      report.migrations,
      (m) =>
        `${m.applied} applied${m.latest ? ` (latest ${m.latest})` : ''}, ${m.pending.length} pending` +
        (m.pending.length ? ` (${m.pending.join(', ')})` : '') +
        (m.unknown.length ? `, ${m.unknown.length} applied without a file here (${m.unknown.join(', ')})` : ''),
    ),
    probeLine('Processes', report.processes, (p) => `${p.seen.length} seen in the last ${p.windowSeconds} s`),
    probeLine('Clock', report.clock, (c) => `database ${formatSkew(c.skewMs)} (round trip ${ms(c.roundTripMs)})`),
    '',
    'Configuration:',
    ...report.config.map((e) => `  ${e.key}=${e.value}`),
    '',
    `Proxy and HTTPS (this request: ${request.protocol}; X-Forwarded-For ${present(request.forwardedFor)}, ` +
      `X-Forwarded-Proto ${present(request.forwardedProto)}, X-Forwarded-Host ${present(request.forwardedHost)}):`,
    ...report.proxy.verdicts.map((v) => `  [${v.level}] ${v.text}`),
  ]
  return lines.join('\n')
}
