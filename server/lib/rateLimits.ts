// Rate limits from SPEC section 4, counted in Redis (shared by every worker and replica) or in
// process memory when REDIS_URL is unset.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { RateLimitedError } from './errors.js'
import type { KeyValue } from './kv.js'

export function createRateLimits(kv: KeyValue, limits: { loginPerEmail: number; loginPerIp: number; registerPerIp: number }) {
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
    kv.redis
      ? new RateLimiterRedis({ storeClient: kv.redis, keyPrefix: `rl:${keyPrefix}`, points, duration })
      : new RateLimiterMemory({ keyPrefix, points, duration })

  const limiters = {
    loginEmail: make('login-email', limits.loginPerEmail, 15 * 60),
    loginIp: make('login-ip', limits.loginPerIp, 15 * 60),
    registerIp: make('register-ip', limits.registerPerIp, 60 * 60),
    verifyResend: make('verify-resend', 1, 60),
    invitations: make('invite', 30, 60 * 60),
  }
  type Name = keyof typeof limiters

  return {
    /** Refuses (429) when the budget is already spent, without spending any. */
    async check(name: Name, key: string) {
      const limiter = limiters[name]
      const res = await limiter.get(key)
      if (res && res.consumedPoints >= limiter.points) throw new RateLimitedError(res.msBeforeNext / 1000)
    },
    /** Spends one point; refuses (429) when that goes over the budget. */
    async hit(name: Name, key: string) {
      try {
        await limiters[name].consume(key)
      } catch (e) {
        if (e instanceof RateLimiterRes) throw new RateLimitedError(e.msBeforeNext / 1000)
        throw e
      }
    },
    async reset(name: Name, key: string) {
      await limiters[name].delete(key)
    },
  }
}
export type RateLimits = ReturnType<typeof createRateLimits>
