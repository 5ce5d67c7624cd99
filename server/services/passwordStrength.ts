// Password strength: the zxcvbn configuration shared with the browser's meter (shared/).
import { passwordScore } from '../../shared/passwordStrength.js'
import { isWeakScore } from '../../shared/strengthInputs.js'

export { passwordScore }

export const isWeakPassword = (password: string, userInputs: string[] = []) => isWeakScore(passwordScore(password, userInputs))

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * The score of a password as a form submitted it, keyed by its field, for the strength meter of
 * the re-rendered form (nothing for an empty or missing field). `userInputs` may be raw form values.
 */
export function submittedStrength(field: string, password: unknown, userInputs: unknown[]): Record<string, number> {
  const value = text(password)
  return value === '' ? {} : { [field]: passwordScore(value, userInputs.map(text)) }
}
