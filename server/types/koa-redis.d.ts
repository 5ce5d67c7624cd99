// koa-redis 4 ships no types and @types/koa-redis targets an old koa-session: the part we use.
declare module 'koa-redis' {
  import type { Redis } from 'ioredis'
  interface RedisStore {
    get(sid: string, maxAge?: number, opts?: unknown): Promise<unknown>
    set(sid: string, sess: unknown, maxAge?: number, opts?: unknown): Promise<void>
    destroy(sid: string): Promise<void>
  }
  export default function redisStore(options: { client: Redis }): RedisStore
}
