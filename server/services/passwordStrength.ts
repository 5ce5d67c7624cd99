// Password strength on the server: the zxcvbn configuration shared with the browser's meter
// (shared/passwordStrength.ts), computed on the strength pool (server/lib/strengthPool.ts).
import { scoreOnPool, STRENGTH_THREADS, type StrengthJob } from '../lib/strengthPool.js'
import { isWeakScore } from '../../shared/strengthInputs.js'

export type { StrengthJob }

export async function passwordScore(password: string, userInputs: string[] = []): Promise<number> {
  const [score] = await scoreOnPool([{ password, inputs: userInputs.filter((s) => s !== '') }])
  return score!
}

export const isWeakPassword = async (password: string, userInputs: string[] = []) => isWeakScore(await passwordScore(password, userInputs))

/** Passwords per pool task in a bulk scoring: small, so a form's single score waits behind one task at most. */
const BULK_TASK = 8

/**
 * Scores many passwords (an import): each distinct job once, in small tasks on every pool thread,
 * with as many tasks in flight as threads, so that a form's score waits for one task at most and
 * not behind the whole file. Rejects with the signal's reason when it aborts (a time budget).
 */
export async function scoreMany(jobs: StrengthJob[], signal?: AbortSignal): Promise<number[]> {
  const keyOf = (j: StrengthJob) => JSON.stringify([j.password, j.inputs])
  const distinct = new Map<string, StrengthJob>()
  for (const j of jobs) distinct.set(keyOf(j), { password: j.password, inputs: j.inputs.filter((s) => s !== '') })
  const unique = [...distinct.entries()]
  const scores = new Map<string, number>()
  let next = 0
  async function lane() {
    while (next < unique.length) {
      signal?.throwIfAborted()
      const slice = unique.slice(next, next + BULK_TASK)
      next += slice.length
      const result = await scoreOnPool(slice.map(([, job]) => job), signal)
      slice.forEach(([key], i) => scores.set(key, result[i]!))
    }
  }
  await Promise.all(Array.from({ length: STRENGTH_THREADS }, lane))
  return jobs.map((j) => scores.get(keyOf(j))!)
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * The score of a password as a form submitted it, keyed by its field, for the strength meter of
 * the re-rendered form (nothing for an empty or missing field). `userInputs` may be raw form values.
 */
export async function submittedStrength(field: string, password: unknown, userInputs: unknown[]): Promise<Record<string, number>> {
  const value = text(password)
  return value === '' ? {} : { [field]: await passwordScore(value, userInputs.map(text)) }
}
