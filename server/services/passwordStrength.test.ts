// The strength pool: the same scores as the browser's meter, computed off the event loop, each
// distinct password of a bulk scoring once, and a budget that stops a bulk scoring.
import { randomBytes } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { passwordScore as scoreHere } from '../../shared/passwordStrength.js'
import { closeStrengthPool, scoreOnPool, setStrengthQueueMax, strengthQueueSize } from '../lib/strengthPool.js'
import { BusyError, RateLimitedError } from '../lib/errors.js'
import { createMemoryKv, createRedisKv } from '../lib/kv.js'
import { createRateLimits } from '../lib/rateLimits.js'
import { isWeakPassword, scoreForUser, scoreMany, scoringPoints, submittedStrength, useScoringBudget } from './passwordStrength.js'

afterAll(() => closeStrengthPool())

/** Passwords zxcvbn is slowest on: every character is a l33t substitution (up to a second each). */
/** Whose scoring: no budget is set in this file's first tests, so nobody pays. */
const USER = 'unit-test-user'

const crafted = (n: number) => Array.from(randomBytes(n), (b) => '4@8(6<{[3&91!|7+0$5%2'[b % 21]).join('')

describe('password strength on the pool', () => {
  it('gives the scores the browser meter computes, user inputs included', async () => {
    const cases: [string, string[]][] = [
      ['password', []],
      ['Tr0ub4dor&3', []],
      ['correct horse battery staple', []],
      ['ada lovelace 1815', ['Ada Lovelace']],
      ['adalovelace', ['Ada Lovelace', 'ada@example.com']],
      [randomBytes(12).toString('base64'), []],
    ]
    for (const [password, inputs] of cases) expect(await scoreForUser(password, inputs, USER)).toBe(scoreHere(password, inputs))
    expect(await isWeakPassword('password1')).toBe(true)
    expect(await isWeakPassword('quartz lantern mosaic orbit velvet')).toBe(false)
    expect(await submittedStrength('password', '', [], USER)).toEqual({})
    expect(await submittedStrength('password', 'qwerty', [], USER)).toEqual({ password: scoreHere('qwerty') })
  })

  it('keeps the event loop free while scoring passwords that take zxcvbn a second each', async () => {
    await scoreForUser('warm up the pool', [], USER)
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const started = performance.now()
    const scores = await scoreMany(Array.from({ length: 4 }, () => ({ password: crafted(100), inputs: [] })), USER)
    const took = performance.now() - started
    lag.disable()
    expect(scores).toHaveLength(4)
    // The scoring itself took long (on the same thread, this is what every request would wait)...
    expect(took).toBeGreaterThan(500)
    // ...while the loop never stalled for more than a fraction of it.
    expect(lag.max / 1e6).toBeLessThan(250)
  }, 120_000)

  it('scores each distinct password once and answers in the order asked', async () => {
    const jobs = [
      { password: 'qwerty', inputs: [] },
      { password: 'quartz lantern mosaic orbit velvet', inputs: [] },
      { password: 'qwerty', inputs: [] },
      { password: 'samwise', inputs: ['samwise'] },
      { password: 'samwise', inputs: [] },
    ]
    const scores = await scoreMany(jobs, USER)
    expect(scores).toEqual(jobs.map((j) => scoreHere(j.password, j.inputs)))
    // The user inputs count: the same password scored against its own name is weaker.
    expect(scores[3]).toBeLessThan(scores[4]!)
  })

  it('stops a bulk scoring when its budget runs out, and the pool keeps working', async () => {
    const jobs = Array.from({ length: 40 }, () => ({ password: crafted(100), inputs: [] }))
    const started = performance.now()
    await expect(scoreMany(jobs, USER, AbortSignal.timeout(300))).rejects.toThrow()
    // Aborted tasks end their threads at once: far sooner than the 40 seconds of work asked for.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(await scoreForUser('password', [], USER)).toBe(0)
  })
})

describe('the pool queue is bounded', () => {
  afterEach(() => setStrengthQueueMax(Infinity))

  it('refuses new work at once (503 with Retry-After) while the queue is full, then takes work again', async () => {
    await scoreForUser('warm up the pool', [], USER)
    setStrengthQueueMax(3)
    // Fill every thread and the queue with passwords zxcvbn is slow on.
    const slow = Array.from({ length: 6 }, () => scoreOnPool([{ password: crafted(24), inputs: [] }]))
    expect(strengthQueueSize()).toBeGreaterThanOrEqual(3)
    const started = performance.now()
    // Asked in the same tick, while the queue is full: each kind of scoring is refused.
    const [one, weak, many, meter] = await Promise.all([
      scoreForUser('correct horse battery staple', [], USER).catch((e: unknown) => e),
      isWeakPassword('password1').catch((e: unknown) => e),
      scoreMany([{ password: 'qwerty', inputs: [] }], USER).catch((e: unknown) => e),
      submittedStrength('password', 'qwerty', [], USER),
    ])
    // At once: not after the seconds of work queued ahead.
    expect(performance.now() - started).toBeLessThan(200)
    expect(one).toBeInstanceOf(BusyError)
    expect(one).toMatchObject({ status: 503, message: expect.stringContaining('try again in a few seconds') })
    expect((one as BusyError).retryAfterSeconds).toBeGreaterThan(0)
    expect(weak).toBeInstanceOf(BusyError)
    expect(many).toBeInstanceOf(BusyError)
    // A re-rendered form comes back without its meter rather than failing.
    expect(meter).toEqual({})
    await Promise.all(slow)
    expect(await scoreForUser('password', [], USER)).toBe(0)
  }, 120_000)
})

describe("a user's scoring budget", () => {
  const kv = process.env.REDIS_URL ? createRedisKv(process.env.REDIS_URL, `${process.env.REDIS_PREFIX ?? 'nid-unit:'}scoring-${randomBytes(3).toString('hex')}:`) : createMemoryKv()
  const limits = createRateLimits(kv, { loginPerEmail: 5, loginPerIp: 30, registerPerIp: 5, scoringPerUser: 60 })
  const user = () => `user-${randomBytes(4).toString('hex')}`
  beforeEach(() => useScoringBudget(limits))
  afterEach(() => useScoringBudget(null))
  afterAll(() => kv.close())

  it('weighs a password by its length: 1 point up to 20 characters, 25 at 100 and beyond', () => {
    expect(scoringPoints('')).toBe(0)
    expect(scoringPoints('qwerty')).toBe(1)
    expect(scoringPoints('x'.repeat(20))).toBe(1)
    expect(scoringPoints('x'.repeat(40))).toBe(4)
    expect(scoringPoints('x'.repeat(100))).toBe(25)
    expect(scoringPoints('x'.repeat(1000))).toBe(25)
  })

  it('answers 429 with when to retry once spent, without scoring; other users are not affected', async () => {
    const alice = user()
    // 100 characters (25 points) that zxcvbn scores fast: the budget counts length, not time.
    const long = () => `${'xq'.repeat(48)}${randomBytes(2).toString('hex')}`
    await scoreForUser(long(), [], alice)
    await scoreForUser(long(), [], alice)
    const refused = await scoreForUser(long(), [], alice).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(RateLimitedError)
    expect((refused as RateLimitedError).status).toBe(429)
    expect((refused as RateLimitedError).message).toMatch(/Try again in \d+ minutes?\./)
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(60)
    // The refused request spent nothing: a short password (1 point) still fits in 60.
    expect(await scoreForUser('qwerty', [], alice)).toBe(0)
    // An import is paid up front for its distinct passwords: one that does not fit scores nothing.
    await expect(scoreMany([{ password: long(), inputs: [] }, { password: 'abc', inputs: [] }], alice)).rejects.toBeInstanceOf(RateLimitedError)
    // The meter of a re-rendered form is left out instead.
    expect(await submittedStrength('password', long(), [], alice)).toEqual({})

    const bob = user()
    expect(await scoreForUser(long(), [], bob)).toBeGreaterThanOrEqual(0)
    expect(await scoreMany([{ password: long(), inputs: [] }, { password: 'qwerty', inputs: [] }, { password: 'qwerty', inputs: [] }], bob)).toHaveLength(3)
    // More than the whole budget at once never fits: said so, without spending anything.
    const tooBig = await scoreMany(Array.from({ length: 3 }, () => ({ password: long(), inputs: [] })), user()).catch((e: unknown) => e)
    expect(tooBig).toBeInstanceOf(RateLimitedError)
    expect((tooBig as Error).message).toContain('smaller parts')
  }, 30_000)
})
