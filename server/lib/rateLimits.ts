// Rate limits from SPEC section 4, counted in Redis (shared by every worker and replica) or in
// process memory when REDIS_URL is unset.
// A point is spent before the work it guards (one atomic consume), never counted after it: a
// burst of parallel requests is checked at most `points` times, the rest get 429 whatever they
// contain. Success gives the point back (refund) or clears the counter (reset).
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { formatWait, RateLimitedError } from './errors.js'
import type { KeyValue } from './kv.js'

export function createRateLimits(
  kv: KeyValue,
  limits: { loginPerEmail: number; loginPerIp: number; registerPerIp: number; scoringPerUser: number },
) {
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
    kv.redis
      ? new RateLimiterRedis({ storeClient: kv.redis, keyPrefix: `rl:${keyPrefix}`, points, duration })
      : new RateLimiterMemory({ keyPrefix, points, duration })

  const limiters = {
    loginEmail: make('login-email', limits.loginPerEmail, 15 * 60),
    loginIp: make('login-ip', limits.loginPerIp, 15 * 60),
    // Recovery attempts are counted apart from logins: guessing recovery codes for an address
    // cannot lock its owner out of logging in.
    recoverEmail: make('recover-email', limits.loginPerEmail, 15 * 60),
    recoverIp: make('recover-ip', limits.loginPerIp, 15 * 60),
    registerIp: make('register-ip', limits.registerPerIp, 60 * 60),
    verifyResend: make('verify-resend', 1, 60),
    invitations: make('invite', 30, 60 * 60),
    // The second step of a login, per user: someone who has the password still gets 5 guesses
    // of a 6-digit code per 15 minutes, however many logins they start (issue 9).
    twoFactorLogin: make('2fa-login', 5, 15 * 60),
    // Codes typed to turn two-factor on from settings, per user (its password is a settingsPassword).
    twoFactorSettings: make('2fa-settings', 10, 15 * 60),
    // The master password typed in settings (password change, new recovery code, account
    // deletion) or to export the vault, per user, one budget for all: a stolen session cannot be
    // used to guess the password fast.
    settingsPassword: make('settings-password', limits.loginPerEmail, 15 * 60),
    // Verification links sent to new addresses, per user: settings cannot be used to mail-bomb.
    emailChange: make('email-change', 5, 60 * 60),
    // Imports, per user: each one parses up to 5 MB and scores every password (seconds of CPU).
    imports: make('import', 20, 60 * 60),
    // Password-strength scoring, per user and hour, in points weighted by each password's length
    // (services/passwordStrength.ts): item saves, the item form's meter and imports draw on it.
    scoring: make('scoring', limits.scoringPerUser, 60 * 60),
    // Item fields copied from the list or an item page (and the next authenticator code), per
    // user: plenty for a person, a brake on a stolen session reading the vault field by field.
    itemCopy: make('item-copy', 300, 15 * 60),
    // Attachment uploads, per user: each one streams up to LIMIT_ATTACHMENT_BYTES through the
    // sealing and into PostgreSQL; plenty for a person adding files one form at a time.
    uploads: make('uploads', 120, 60 * 60),
    // Every administration POST, per administrator: generous for a person, a brake on a script.
    adminActions: make('admin-actions', 120, 15 * 60),
    // Test messages from /admin/mail, per administrator: it must not become a way to send mail.
    mailTest: make('mail-test', 10, 60 * 60),
  }
  type Name = keyof typeof limiters

  return {
    /** Spends one point; refuses (429) when the budget is already spent. */
    async spend(name: Name, key: string) {
      try {
        await limiters[name].consume(key)
      } catch (e) {
        if (e instanceof RateLimiterRes) throw new RateLimitedError(e.msBeforeNext / 1000)
        throw e
      }
    },
    /**
     * Spends `points` at once from a weighted budget, before the work. A request that does not fit
     * spends nothing (its points are given back): a refused import leaves the item saves of the
     * hour their share. `message` says what was refused, given the wait ("12 minutes").
     */
    async spendPoints(name: Name, key: string, points: number, message: (wait: string) => string) {
      const limiter = limiters[name]
      // More than the whole budget can never fit, however long the user waits.
      if (points > limiter.points) throw new RateLimitedError(limiter.duration, message(formatWait(limiter.duration)))
      try {
        await limiter.consume(key, points)
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e
        await limiter.reward(key, points)
        throw new RateLimitedError(e.msBeforeNext / 1000, message(formatWait(e.msBeforeNext / 1000)))
      }
    },
    /** Gives back points spent for work that was then not done (a busy pool refused it). */
    async refundPoints(name: Name, key: string, points: number) {
      await limiters[name].reward(key, points)
    },
    /** Gives back the point a successful attempt spent. */
    async refund(name: Name, key: string) {
      await limiters[name].reward(key, 1)
    },
    /** Clears the counter (a correct password ends the count of failures for that email). */
    async reset(name: Name, key: string) {
      await limiters[name].delete(key)
    },
  }
}
export type RateLimits = ReturnType<typeof createRateLimits>
