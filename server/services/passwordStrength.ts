// Password strength on the server: the zxcvbn configuration shared with the browser's meter
// (shared/passwordStrength.ts), computed on the strength pool (server/lib/strengthPool.ts).
//
// Scoring costs CPU (up to a second for a crafted password), so it is paid for before it is done:
// - a user's scoring (item saves, the item form's meter, imports) spends points from their hourly
//   budget (rateLimits 'scoring', RATE_SCORING_PER_USER), weighted by each password's length;
// - the master password forms (registration, password change) are scored only after the request
//   spent a limit of its own (a registration per IP, an attempt of the settings password budget);
// - every scoring is admitted to the pool's bounded queue first (BusyError, 503, when full).
import { admitScoring, scoreOnPool, STRENGTH_THREADS, type StrengthJob } from '../lib/strengthPool.js'
import { BusyError, RateLimitedError } from '../lib/errors.js'
import { isWeakScore } from '../../shared/strengthInputs.js'

export type { StrengthJob }

/** The characters zxcvbn looks at (shared/passwordStrength.ts scores the first 100). */
const SCORED_LENGTH = 100

/**
 * Budget points for scoring one password: 1 up to 20 characters, then growing with the square of
 * its length (zxcvbn matches every substring, once per l33t variant) to 25 at 100 characters.
 * Measured on 2 cores: 20 random characters take ~40 ms, 100 take ~1.2 s, 8 crafted l33t ones
 * ~60 ms, so a point is worth about 50 ms of a thread whatever the password.
 */
export function scoringPoints(password: string): number {
  const n = Math.min(password.length, SCORED_LENGTH)
  return n === 0 ? 0 : Math.max(1, Math.ceil((n * n) / 400))
}

/** Where the points of a user's scoring are spent: rateLimits (the server sets it at start). */
export interface ScoringBudget {
  spendPoints(name: 'scoring', key: string, points: number, message: (wait: string) => string): Promise<void>
  refundPoints(name: 'scoring', key: string, points: number): Promise<void>
}

let budget: ScoringBudget | null = null

/** Meters every user's scoring with `b` (server/index.ts); without one (service tests) it is not metered. */
export function useScoringBudget(b: ScoringBudget | null) {
  budget = b
}

const overBudget = (wait: string) =>
  `You have had the strength of a lot of passwords checked in the last hour (long ones count more). Try again in ${wait}.`

/**
 * Runs `score` once `points` are paid by `userId` and the pool admits the work. Refused by the
 * pool (busy): the points are given back, since the work was not done.
 */
async function paid<T>(userId: string | null, points: number, score: () => Promise<T>, message = overBudget): Promise<T> {
  admitScoring() // refused at once, before the budget is touched
  if (userId !== null && budget && points > 0) await budget.spendPoints('scoring', userId, points, message)
  try {
    admitScoring() // again in the tick that enqueues: parallel requests passed the first check together
  } catch (e) {
    if (userId !== null && budget && points > 0) await budget.refundPoints('scoring', userId, points)
    throw e
  }
  return score()
}

/** zxcvbn score of one password, paid from `userId`'s scoring budget. */
export async function scoreForUser(password: string, userInputs: string[], userId: string): Promise<number> {
  return paid(userId, scoringPoints(password), () => scoreOne(password, userInputs))
}

async function scoreOne(password: string, userInputs: string[]) {
  const [score] = await scoreOnPool([{ password, inputs: userInputs.filter((s) => s !== '') }])
  return score!
}

/**
 * A master password too weak to accept. Not metered by a user's budget: its callers (registration,
 * password change) spend a limit of their own before they ask. Still admitted to the pool's queue.
 */
export const isWeakPassword = async (password: string, userInputs: string[] = []) => isWeakScore(await paid(null, 0, () => scoreOne(password, userInputs)))

/** Passwords per pool task in a bulk scoring: small, so a form's single score waits behind one task at most. */
const BULK_TASK = 8

const importOverBudget = (wait: string) =>
  `Checking the strength of this file's passwords needs more than is left of your allowance for this hour (long passwords count more). Import the file in smaller parts, or try again in ${wait}.`

/**
 * Scores many passwords (an import) for `userId`, who pays for each distinct one up front: each
 * distinct job once, in small tasks on every pool thread, with as many tasks in flight as threads,
 * so that a form's score waits for one task at most and not behind the whole file. Rejects with
 * the signal's reason when it aborts (a time budget).
 */
export async function scoreMany(jobs: StrengthJob[], userId: string, signal?: AbortSignal): Promise<number[]> {
  const keyOf = (j: StrengthJob) => JSON.stringify([j.password, j.inputs])
  const distinct = new Map<string, StrengthJob>()
  for (const j of jobs) distinct.set(keyOf(j), { password: j.password, inputs: j.inputs.filter((s) => s !== '') })
  const unique = [...distinct.entries()]
  if (unique.length === 0) return []
  const points = unique.reduce((sum, [, j]) => sum + scoringPoints(j.password), 0)
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
  // Admitted once: its lanes keep at most one task per thread queued until the file is scored.
  await paid(userId, points, () => Promise.all(Array.from({ length: STRENGTH_THREADS }, lane)), importOverBudget)
  return jobs.map((j) => scores.get(keyOf(j))!)
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * The score of a password as a form submitted it, keyed by its field, for the strength meter of
 * the re-rendered form (nothing for an empty or missing field). `userInputs` may be raw form values.
 * Paid by `userId` (null: the caller spent a limit of its own for this request first). A meter
 * is a courtesy: with the budget spent or the pool busy the form comes back without it.
 */
export async function submittedStrength(field: string, password: unknown, userInputs: unknown[], userId: string | null): Promise<Record<string, number>> {
  const value = text(password)
  if (value === '') return {}
  try {
    return { [field]: await paid(userId, scoringPoints(value), () => scoreOne(value, userInputs.map(text))) }
  } catch (e) {
    if (e instanceof RateLimitedError || e instanceof BusyError) return {}
    throw e
  }
}

// ---------------------------------------------------------------------------
// Scoring in the background (ADR 024): an import's passwords, after the import answered.
// ---------------------------------------------------------------------------

/**
 * Spends `points` of `userId`'s scoring budget for background work, or says how long to wait:
 * 0 when paid, else the milliseconds until they may fit. Background scoring is throttled by the
 * budget, never refused: the caller waits and asks again (its items stay "not checked yet").
 * Unmetered (0) without a budget (services used without a server).
 */
export async function spendForBackground(userId: string, points: number): Promise<number> {
  if (!budget || points <= 0) return 0
  try {
    await budget.spendPoints('scoring', userId, points, overBudget)
    return 0
  } catch (e) {
    if (e instanceof RateLimitedError) return Math.max(1000, Math.ceil(e.retryAfterSeconds * 1000))
    throw e
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const t = setTimeout(resolve, ms)
    t.unref()
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), { once: true })
  })
export { sleep as waitFor }

/**
 * Pool threads background scoring keeps busy: all but one, so that a form's score and the requests
 * themselves keep a core while an import is scored (on 2 cores: one lane, 5,000 passwords in about
 * two minutes instead of one).
 */
const BACKGROUND_LANES = Math.max(1, STRENGTH_THREADS - 1)

/** How long background scoring waits for room when the pool's queue is full. */
const BUSY_WAIT_MS = 500

/**
 * Scores already-paid jobs in the background: each distinct one once, in tasks of BULK_TASK, one
 * task in flight per lane (BACKGROUND_LANES: a form's score waits for one task at most). While the pool's queue is
 * at its bound it waits instead of being refused: forms keep their place.
 */
export async function scoreInBackground(jobs: StrengthJob[], signal?: AbortSignal): Promise<number[]> {
  const keyOf = (j: StrengthJob) => JSON.stringify([j.password, j.inputs])
  const distinct = new Map<string, StrengthJob>()
  for (const j of jobs) distinct.set(keyOf(j), { password: j.password, inputs: j.inputs.filter((s) => s !== '') })
  const unique = [...distinct.entries()]
  const scores = new Map<string, number>()
  let next = 0
  async function lane() {
    while (next < unique.length) {
      signal?.throwIfAborted()
      try {
        admitScoring()
      } catch (e) {
        if (!(e instanceof BusyError)) throw e
        await sleep(BUSY_WAIT_MS, signal)
        continue
      }
      const slice = unique.slice(next, next + BULK_TASK)
      next += slice.length
      const result = await scoreOnPool(slice.map(([, job]) => job), signal)
      slice.forEach(([key], i) => scores.set(key, result[i]!))
    }
  }
  await Promise.all(Array.from({ length: Math.min(BACKGROUND_LANES, Math.ceil(unique.length / BULK_TASK)) }, lane))
  return jobs.map((j) => scores.get(keyOf(j))!)
}
