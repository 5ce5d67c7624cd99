// The strength pool: the same scores as the browser's meter, computed off the event loop, each
// distinct password of a bulk scoring once, and a budget that stops a bulk scoring.
import { randomBytes } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, describe, expect, it } from 'vitest'
import { passwordScore as scoreHere } from '../../shared/passwordStrength.js'
import { closeStrengthPool } from '../lib/strengthPool.js'
import { isWeakPassword, passwordScore, scoreMany, submittedStrength } from './passwordStrength.js'

afterAll(() => closeStrengthPool())

/** Passwords zxcvbn is slowest on: every character is a l33t substitution (up to a second each). */
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
    for (const [password, inputs] of cases) expect(await passwordScore(password, inputs)).toBe(scoreHere(password, inputs))
    expect(await isWeakPassword('password1')).toBe(true)
    expect(await isWeakPassword('quartz lantern mosaic orbit velvet')).toBe(false)
    expect(await submittedStrength('password', '', [])).toEqual({})
    expect(await submittedStrength('password', 'qwerty', [])).toEqual({ password: scoreHere('qwerty') })
  })

  it('keeps the event loop free while scoring passwords that take zxcvbn a second each', async () => {
    await passwordScore('warm up the pool')
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const started = performance.now()
    const scores = await scoreMany(Array.from({ length: 4 }, () => ({ password: crafted(100), inputs: [] })))
    const took = performance.now() - started
    lag.disable()
    expect(scores).toHaveLength(4)
    // The scoring itself took long (on the same thread, this is what every request would wait)...
    expect(took).toBeGreaterThan(500)
    // ...while the loop never stalled for more than a fraction of it.
    expect(lag.max / 1e6).toBeLessThan(250)
  })

  it('scores each distinct password once and answers in the order asked', async () => {
    const jobs = [
      { password: 'qwerty', inputs: [] },
      { password: 'quartz lantern mosaic orbit velvet', inputs: [] },
      { password: 'qwerty', inputs: [] },
      { password: 'samwise', inputs: ['samwise'] },
      { password: 'samwise', inputs: [] },
    ]
    const scores = await scoreMany(jobs)
    expect(scores).toEqual(jobs.map((j) => scoreHere(j.password, j.inputs)))
    // The user inputs count: the same password scored against its own name is weaker.
    expect(scores[3]).toBeLessThan(scores[4]!)
  })

  it('stops a bulk scoring when its budget runs out, and the pool keeps working', async () => {
    const jobs = Array.from({ length: 40 }, () => ({ password: crafted(100), inputs: [] }))
    const started = performance.now()
    await expect(scoreMany(jobs, AbortSignal.timeout(300))).rejects.toThrow()
    // Aborted tasks end their threads at once: far sooner than the 40 seconds of work asked for.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(await passwordScore('password')).toBe(0)
  })
})
