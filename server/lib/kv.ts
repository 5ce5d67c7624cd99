// The small key-value surface the app needs beyond sessions: the per-user session index and
// device -> session links. Redis in any real deployment; process memory when REDIS_URL is unset.
import { Redis } from 'ioredis'

export interface KeyValue {
  readonly kind: 'redis' | 'memory'
  /** The ioredis client, when there is one (rate limiter and session store share it). */
  readonly redis?: Redis
  /** Prefix of every key in Redis (ioredis adds it to KEYS, not to key names a script builds). */
  readonly prefix: string
  get(key: string): Promise<string | null>
  /** With `onlyIfExists`, writes only over a key that is still there (Redis SET ... XX). */
  set(key: string, value: string, ttlMs: number, opts?: { onlyIfExists?: boolean }): Promise<void>
  /** Creates the key only if it is absent (Redis SET ... NX): true when this call created it. */
  claim(key: string, ttlMs: number): Promise<boolean>
  del(...keys: string[]): Promise<void>
  exists(key: string): Promise<boolean>
  sAdd(key: string, member: string, ttlMs: number): Promise<void>
  sRem(key: string, member: string): Promise<void>
  sMembers(key: string): Promise<string[]>
  ping(): Promise<boolean>
  /** Resolves once connected (at most `timeoutMs`): requests before that would only get 503s. */
  whenReady(timeoutMs: number): Promise<void>
  close(): Promise<void>
}

export function createRedisKv(url: string, prefix: string): KeyValue {
  // No offline queue: while Redis is known down (disconnected, reconnecting) a command fails at
  // once, so a request answers 503 in milliseconds instead of waiting out the client's retries.
  // The process waits for the first connection before it listens (whenReady).
  const redis = new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: 2, enableAutoPipelining: true, enableOfflineQueue: false })
  return {
    kind: 'redis',
    redis,
    prefix,
    get: (k) => redis.get(k),
    set: async (k, v, ttl, opts) => {
      if (opts?.onlyIfExists) await redis.set(k, v, 'PX', ttl, 'XX')
      else await redis.set(k, v, 'PX', ttl)
    },
    claim: async (k, ttl) => (await redis.set(k, '1', 'PX', ttl, 'NX')) === 'OK',
    del: async (...keys) => void (keys.length && (await redis.del(...keys))),
    exists: async (k) => (await redis.exists(k)) === 1,
    sAdd: async (k, m, ttl) => {
      await redis.multi().sadd(k, m).pexpire(k, ttl).exec()
    },
    sRem: async (k, m) => void (await redis.srem(k, m)),
    sMembers: (k) => redis.smembers(k),
    ping: async () => (await redis.ping()) === 'PONG',
    whenReady: (timeoutMs) =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(done, timeoutMs)
            function done() {
              clearTimeout(timer)
              redis.off('ready', done)
              resolve()
            }
            redis.once('ready', done)
          }),
    close: async () => void (await redis.quit()),
  }
}

export function createMemoryKv(): KeyValue {
  const values = new Map<string, { v: string | Set<string>; exp: number }>()
  const live = (k: string) => {
    const e = values.get(k)
    if (e && e.exp <= Date.now()) {
      values.delete(k)
      return undefined
    }
    return e
  }
  // Expired entries are dropped lazily on read and by this sweep, so memory stays bounded.
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [k, e] of values) if (e.exp <= now) values.delete(k)
  }, 60_000)
  sweep.unref()
  return {
    kind: 'memory',
    prefix: '',
    get: async (k) => {
      const e = live(k)
      return typeof e?.v === 'string' ? e.v : null
    },
    set: async (k, v, ttl, opts) => {
      if (opts?.onlyIfExists && !live(k)) return
      values.set(k, { v, exp: Date.now() + ttl })
    },
    claim: async (k, ttl) => {
      if (live(k)) return false
      values.set(k, { v: '1', exp: Date.now() + ttl })
      return true
    },
    del: async (...keys) => keys.forEach((k) => values.delete(k)),
    exists: async (k) => live(k) !== undefined,
    sAdd: async (k, m, ttl) => {
      const e = live(k)
      const set = e?.v instanceof Set ? e.v : new Set<string>()
      set.add(m)
      values.set(k, { v: set, exp: Date.now() + ttl })
    },
    sRem: async (k, m) => {
      const e = live(k)
      if (e?.v instanceof Set) e.v.delete(m)
    },
    sMembers: async (k) => {
      const e = live(k)
      return e?.v instanceof Set ? [...e.v] : []
    },
    ping: async () => true,
    whenReady: async () => {},
    close: async () => clearInterval(sweep),
  }
}
