// Keep-alive HTTP clients for the shutdown and rolling-restart tests: node:http with one socket per
// client (like a browser tab or one nginx upstream connection), so a reset keep-alive socket shows
// up as an error instead of being hidden by a retry.
import http from 'node:http'

export interface Outcome {
  client: number
  method: string
  path: string
  /** HTTP status, or undefined when the request failed */
  status?: number
  /** error code (ECONNREFUSED, ECONNRESET...) when it failed */
  error?: string
  /** the response's Connection header */
  connection?: string
  start: number
  end: number
  /** local port of the socket used: one value per connection */
  socket?: number
  /** the request's tag (RequestSpec.tag) */
  tag?: string
  body?: string
}

export interface RequestSpec {
  method?: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  form?: Record<string, string>
  /** copied to the outcome, e.g. what a POST creates */
  tag?: string
}

export function newAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1 })
}

export function send(agent: http.Agent, base: string, spec: RequestSpec, client = 0): Promise<Outcome> {
  const method = spec.method ?? (spec.form ? 'POST' : 'GET')
  const body = spec.form ? new URLSearchParams(spec.form).toString() : undefined
  const headers: Record<string, string> = { ...spec.headers }
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    headers['content-length'] = String(Buffer.byteLength(body))
  }
  const start = Date.now()
  const tag = spec.tag
  return new Promise((resolve) => {
    let socket: number | undefined
    const req = http.request(`${base}${spec.path}`, { method, headers, agent }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () =>
        resolve({ client, method, path: spec.path, tag, status: res.statusCode, connection: res.headers.connection, start, end: Date.now(), socket, body: text }),
      )
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ client, method, path: spec.path, tag, error: e.code ?? e.message, start, end: Date.now(), socket }))
    })
    req.on('socket', (s) => {
      const set = () => (socket = s.localPort)
      if (s.localPort) set()
      else s.once('connect', set)
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ client, method, path: spec.path, tag, error: e.code ?? e.message, start, end: Date.now(), socket }))
    req.end(body)
  })
}

/**
 * `clients` loops, each on its own keep-alive socket, until `until()` says stop or a loop's
 * `next(i, n)` returns null. `outcomes` fills as answers come; `done` resolves when all loops end.
 */
export function runLoad(opts: {
  base: string
  clients: number
  next: (client: number, n: number, last?: Outcome) => RequestSpec | null
  until: () => boolean
  /** pause between a client's requests, ms (keeps a shared 2-core machine usable) */
  pauseMs?: number
  maxRequests?: number
}): { outcomes: Outcome[]; done: Promise<Outcome[]> } {
  const outcomes: Outcome[] = []
  const agents: http.Agent[] = []
  const loops = Promise.all(
    Array.from({ length: opts.clients }, async (_, client) => {
      const agent = newAgent()
      agents.push(agent)
      let last: Outcome | undefined
      for (let n = 0; !opts.until() && outcomes.length < (opts.maxRequests ?? Infinity); n++) {
        const spec = opts.next(client, n, last)
        if (!spec) break
        last = await send(agent, opts.base, spec, client)
        delete last.body
        outcomes.push(last)
        if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs))
      }
    }),
  )
  const done = loops.then(() => {
    for (const a of agents) a.destroy()
    return outcomes
  })
  return { outcomes, done }
}
