// The master password typed in settings (email change, password change, two-factor on or off, a
// new recovery code, account deletion) is checked against ONE budget per user (SPEC 4: a stolen
// session cannot be used to guess the password fast), whatever form it comes through.
import { ValidationError } from '../lib/errors.js'
import type { RateLimits } from '../lib/rateLimits.js'

export const WRONG_PASSWORD = 'This is not your master password.'

/**
 * Spends a point of the user's settings-password budget before the scrypt work it guards; gives it
 * back when the password was right (a weak new password, say, is not a guess). `work` answers null
 * for a wrong password, which becomes a message next to `field`.
 */
export function passwordBudget(rateLimits: RateLimits) {
  return async function withPasswordBudget<T>(userId: string, field: string, work: () => Promise<T | null>): Promise<T> {
    await rateLimits.spend('settingsPassword', userId)
    let result: T | null
    try {
      result = await work()
    } catch (e) {
      if (e instanceof ValidationError && !e.fields[field]) await rateLimits.refund('settingsPassword', userId)
      throw e
    }
    if (result === null) throw new ValidationError({ [field]: WRONG_PASSWORD }, WRONG_PASSWORD)
    await rateLimits.refund('settingsPassword', userId)
    return result
  }
}
