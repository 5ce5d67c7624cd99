// A TCP proxy in front of a real PostgreSQL or Redis, for fault injection without touching the
// shared services: cut() drops every connection and refuses new ones (the port stops listening,
// so clients see ECONNREFUSED as after a crash); restore() listens on the same port again.
import net from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** The target URL rewritten to go through the proxy. */
  readonly url: string
  cut(): Promise<void>
  /** Cuts (as cut()) at the first client write matching `pattern`, before it reaches the server:
   *  an outage in the middle of a request, at a chosen step. */
  cutOn(pattern: RegExp): void
  restore(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl)
  const targetPort = Number(target.port || (target.protocol.startsWith('redis') ? 6379 : 5432))
  const targetHost = target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1'
  const sockets = new Set<net.Socket>()
  let trigger: RegExp | null = null

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      // Either side failing ends both, like a broken link.
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk: Buffer) => {
      if (trigger?.test(chunk.toString('latin1'))) {
        trigger = null
        void cut()
        return
      }
      upstream.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  await listen(0)
  const port = (server.address() as net.AddressInfo).port
  const proxied = new URL(targetUrl)
  proxied.hostname = '127.0.0.1'
  proxied.port = String(port)

  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const s of sockets) s.destroy()
    await closed
  }
  return {
    port,
    url: proxied.toString(),
    cut,
    cutOn: (pattern) => void (trigger = pattern),
    restore: () => listen(port),
    close: async () => {
      if (server.listening) await cut()
    },
  }
}
