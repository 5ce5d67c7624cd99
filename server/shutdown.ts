// Graceful shutdown: the drain of one HTTP server, and the stop signals.
import type http from 'node:http'
import net from 'node:net'

/**
 * A connection with no request in it counts as idle once it has been quiet this long. Shorter, and
 * a keep-alive client that is about to send its next request (its think time, plus a round trip)
 * would have the socket closed under that request. docker/nginx.conf closes its idle upstream
 * connections sooner (keepalive_timeout 1s), so the app never has to close one of nginx's.
 */
const IDLE_QUIET_MS = 2000
/** After the shutdown timeout cuts the connections, how long their handlers may still take. */
const HANDLER_GRACE_MS = 5_000

interface ConnectionState {
  /** Requests received on it and not yet answered. */
  busy: number
  /** socket.bytesRead when last looked at, and since when it has not changed. */
  bytesSeen: number
  quietSince: number
}

type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<unknown>

export type Drain = ReturnType<typeof createDrain>

/**
 * Graceful shutdown of one HTTP server:
 * 1. draining: /readyz answers 503 (routes/health.ts, readinessWhileDraining) while everything
 *    else is still served for `graceMs`, so a balancer that polls readiness takes this process out first;
 * 2. stopping: the listening socket closes (new connections are refused, which nginx retries on
 *    another replica, POSTs included: nothing was sent); every response that has not started yet
 *    carries `Connection: close`, so keep-alive clients leave after their answer; idle keep-alive
 *    connections are closed at once;
 * 3. when the last connection is gone, or at `timeoutMs` (then the rest are cut), the handlers that
 *    are still running are awaited, so nothing runs against the pools the caller then closes.
 *
 * "Idle" is stricter than http.Server#closeIdleConnections (which http.Server#close calls): that one
 * destroys a keep-alive socket as soon as its last response is finished, though the client may be
 * sending its next request on it right then, and that request is reset (nginx answers 502 for a
 * POST it cannot safely retry). Here a connection is closed only when it carries no request and has
 * received nothing for IDLE_QUIET_MS (checked right after the event loop's poll phase has read what
 * arrived); a client that uses it sooner gets its answer with `Connection: close`. Connections idle
 * that long when stopping begins are closed at once.
 */
export function createDrain(server: http.Server, opts: { graceMs: number; timeoutMs: number }) {
  const connections = new Map<net.Socket, ConnectionState>()
  const handlers = new Set<Promise<unknown>>()
  let draining = false
  let stopping = false

  server.on('connection', (socket: net.Socket) => {
    connections.set(socket, { busy: 0, bytesSeen: socket.bytesRead, quietSince: Date.now() })
    socket.once('close', () => connections.delete(socket))
  })

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  function closeIdle() {
    const now = Date.now()
    for (const [socket, state] of connections) {
      if (state.busy > 0) continue
      if (socket.bytesRead !== state.bytesSeen) {
        state.bytesSeen = socket.bytesRead
        state.quietSince = now
      } else if (now - state.quietSince >= IDLE_QUIET_MS) {
        socket.destroy()
      }
    }
  }

  /** Counts the request on its connection, and gives its response `Connection: close` once stopping. */
  function onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    // At the moment the status line is written (Koa's res.end and streamed bodies both go
    // through writeHead), so responses already in progress when stopping begins get it too.
    const writeHead = res.writeHead
    res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
      if (stopping && !this.headersSent) this.setHeader('Connection', 'close')
      return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args)
    } as typeof res.writeHead
    const state = connections.get(req.socket)
    if (!state) return
    state.busy++
    res.once('close', () => {
      state.busy--
      state.bytesSeen = req.socket.bytesRead
      state.quietSince = Date.now()
    })
  }

  return {
    get draining() {
      return draining
    },
    /**
     * The server's request listener: `handle` (Koa's) wrapped in the drain's bookkeeping. Outside
     * Koa because it works on connections, which Koa does not see, and must see every response.
     */
    listener(handle: RequestListener) {
      return (req: http.IncomingMessage, res: http.ServerResponse) => {
        onRequest(req, res)
        const handler = handle(req, res)
        handlers.add(handler)
        void handler.finally(() => handlers.delete(handler))
      }
    },
    async run(onStopped: () => void): Promise<{ forced: number; handlersLeft: number }> {
      draining = true
      if (opts.graceMs > 0) await sleep(opts.graceMs)
      // In the check phase, right after the poll phase has accepted every connection that was
      // waiting: one still in the kernel's accept queue when the listener closes is reset, and
      // the request its client may already have sent is lost (nginx would not retry a POST).
      await new Promise((resolve) => setImmediate(resolve))
      stopping = true
      // net.Server#close, not http.Server#close: the latter first destroys "idle" sockets the
      // racy way described above.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()))
      onStopped()
      const sweep = setInterval(() => setImmediate(closeIdle), 20)
      setImmediate(closeIdle)
      const timedOut = await Promise.race([closed.then(() => false), sleep(opts.timeoutMs).then(() => true)])
      clearInterval(sweep)
      const forced = timedOut ? connections.size : 0
      if (timedOut) for (const socket of connections.keys()) socket.destroy()
      // Handlers outlive their sockets when those are cut.
      if (handlers.size) await Promise.race([Promise.allSettled([...handlers]), sleep(HANDLER_GRACE_MS)])
      return { forced, handlersLeft: handlers.size }
    },
  }
}

/**
 * Runs `stop` on the first SIGTERM or SIGINT, and only once: Ctrl-C under `npm start` delivers
 * SIGINT twice (the terminal signals the whole process group, and npm forwards it again); a second
 * default SIGINT would kill the process mid-shutdown.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>): { readonly stopping: boolean } {
  let stopping = false
  const once = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    void stop(signal)
  }
  process.on('SIGTERM', once)
  process.on('SIGINT', once)
  return {
    get stopping() {
      return stopping
    },
  }
}
