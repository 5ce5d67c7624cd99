// Issue 17, point 5: password-strength scoring is paid for before it runs. On a server of its own
// with small bounds (STRENGTH_QUEUE_MAX=1, RATE_SCORING_PER_USER=60 points an hour, where a
// password of 100 characters costs 25) and the default registration limit (5 per hour per IP):
// - a user's scoring budget answers 429 with when to retry once spent, and other users are not
//   affected; an import lands anyway and its passwords wait, throttled, until the budget allows;
// - a full strength queue answers new work at once with 503 and Retry-After, and gives the points back;
// - invalid registration posts spend nothing and are not scored; the sixth valid one gets 429.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { Op } from 'sequelize'
import { Client, PASSWORD, csrfFrom, postImport, textOf, uniqueEmail } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { ownRedisPrefix, serverForFile } from '../helpers/server.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())
const server = serverForFile(
  {
    STRENGTH_QUEUE_MAX: '1',
    RATE_SCORING_PER_USER: '60',
    // Empty counts as unset: the default registration limit, not npm test's raised one.
    RATE_REGISTER_PER_IP: '',
    TRUST_PROXY: 'true',
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: ownRedisPrefix('strength'),
  },
  120_000,
)

/** 100 characters (25 points) that zxcvbn scores fast: the budget counts length, not time taken. */
const long = () => `${'xq'.repeat(48)}${randomBytes(2).toString('hex')}`
/** 100 characters zxcvbn is slowest on (every one a l33t substitution): a second or more each. */
const crafted = () => Array.from(randomBytes(100), (b) => '4@8(6<{[3&91!|7+0$5%2'[b % 21]).join('')
const METER = /Strength: (very weak|weak|good|strong) \([0-4] of 4\)/

/** A logged-in browser of a new user on this file's server, and its item form posts. */
async function user(name: string) {
  const u: RegisteredUser = await registerUser(db, name)
  const folderId = (await db.services.vault.listFolders(u.viewer)).folders[0]!.id
  const c = new Client()
  expect((await c.login(u.email, u.password, server.origin)).status).toBe(303)
  const token = csrfFrom(await (await c.get(`/dashboard/items/new?folder=${folderId}`, { server: server.origin })).text())
  const save = (fields: Record<string, string>) =>
    c.request('/dashboard/items', { server: server.origin, method: 'POST', form: { _csrf: token, folder_id: folderId, ...itemFields(fields) } })
  const upload = (csv: string) => {
    const form = new FormData()
    form.append('_csrf', token)
    form.append('folder_id', folderId)
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'export.csv')
    return postImport(c, form, { server: server.origin })
  }
  const items = async () => db.models.Item.count({ where: { folderId } })
  /** Milliseconds until the folder's first waiting item is due for scoring (ADR 024), null when none waits. */
  const dueIn = async () => {
    const waiting = await db.models.Item.findOne({ where: { folderId, scoreDueAt: { [Op.ne]: null } }, order: [['scoreDueAt', 'ASC']] })
    return waiting ? waiting.scoreDueAt!.getTime() - Date.now() : null
  }
  return { save, upload, items, dueIn }
}

describe("a user's scoring budget", () => {
  it('answers 429 with when to retry once spent; short passwords weigh less; other users are not affected', async () => {
    const alice = await user('Budget Alice')
    expect((await alice.save({ name: 'Long 1', password: long() })).status).toBe(303)
    expect((await alice.save({ name: 'Long 2', password: long() })).status).toBe(303)
    // 50 of 60 points spent: a third long password does not fit.
    const refused = await alice.save({ name: 'Long 3', password: long() })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60)
    expect(textOf(await refused.text())).toMatch(/Try again in \d+ minutes?\./)
    expect(await alice.items()).toBe(2)
    // A password of up to 20 characters costs 1 point: it still fits.
    expect((await alice.save({ name: 'Short', password: 'Kx7#qT2!mW9p' })).status).toBe(303)
    expect(await alice.items()).toBe(3)
    // An invalid item form comes back (422, with its message) without a meter rather than a 429.
    const invalid = await alice.save({ name: '', password: long() })
    expect(invalid.status).toBe(422)
    expect(textOf(await invalid.text())).not.toMatch(METER)
    // An import lands whatever the budget (ADR 024): its passwords are scored afterwards, paid from
    // the same budget, throttled rather than refused. Alice's is spent, so hers wait.
    const header = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp'
    const imported = await alice.upload([header, `,,login,Imported,,,,https://imported.example,me,${long()},`].join('\n'))
    expect(imported.status).toBe(303)
    expect(await alice.items()).toBe(4)
    // The scorer asked the budget, was told to wait, and put the item back until then (minutes away).
    await expect
      .poll(async () => (await alice.dueIn()) ?? 0, { timeout: 30_000, interval: 200 })
      .toBeGreaterThan(60_000)
    // It spent nothing doing so: a long password still does not fit; a short one still does.
    expect((await alice.save({ name: 'Long 4', password: long() })).status).toBe(429)

    // Bob's budget is his own.
    const bob = await user('Budget Bob')
    expect((await bob.save({ name: 'Long 1', password: long() })).status).toBe(303)
    expect((await bob.save({ name: 'Long 2', password: long() })).status).toBe(303)
    expect(await bob.items()).toBe(2)
  }, 180_000)
})

describe('the strength queue is bounded', () => {
  it('answers saves past STRENGTH_QUEUE_MAX at once with 503 and Retry-After, and gives their points back', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => user(`Queue ${i}`)))
    const answers = await Promise.all(
      users.map(async (u) => {
        const started = performance.now()
        const res = await u.save({ name: 'Crafted', password: crafted() })
        return { u, status: res.status, retryAfter: res.headers.get('retry-after'), text: textOf(await res.text()), ms: performance.now() - started }
      }),
    )
    const busy = answers.filter((a) => a.status === 503)
    const saved = answers.filter((a) => a.status === 303)
    expect(busy.length + saved.length).toBe(answers.length)
    expect(saved.length).toBeGreaterThanOrEqual(1)
    expect(busy.length).toBeGreaterThanOrEqual(1)
    for (const b of busy) {
      expect(Number(b.retryAfter)).toBeGreaterThan(0)
      expect(b.text).toContain('try again in a few seconds')
      expect(await b.u.items()).toBe(0)
    }
    // Refused at once, not after the seconds of scoring queued ahead of them.
    expect(Math.min(...busy.map((b) => b.ms))).toBeLessThan(Math.max(...saved.map((a) => a.ms)))

    // The refused save spent nothing: retried, it and one more long password fit in the 60 points
    // (25 + 25; had the refused attempt kept its 25, the second would get 429).
    const retried = busy[0]!.u
    expect((await retried.save({ name: 'Crafted', password: long() })).status).toBe(303)
    expect((await retried.save({ name: 'Again', password: long() })).status).toBe(303)
    expect(await retried.items()).toBe(2)
  }, 240_000)
})

describe('registration at the default limit (5 per hour per IP)', () => {
  it('invalid posts spend nothing and are not scored; the sixth valid registration gets 429', async () => {
    const from = { server: server.origin, headers: { 'x-forwarded-for': '198.51.100.23' } }
    const c = new Client()
    const register = (form: Record<string, string>) => c.post('/register', form, { ...from, tokenPage: '/register' })
    for (let i = 0; i < 12; i++) {
      const res = await register({ name: 'Invalid', email: uniqueEmail('invalid'), password: crafted(), password_confirm: crafted() })
      expect(res.status, `invalid post ${i}`).toBe(422)
      expect(textOf(await res.text())).not.toMatch(METER)
    }
    for (let i = 0; i < 5; i++) {
      const res = await new Client().post('/register', { name: 'Valid', email: uniqueEmail('valid'), password: PASSWORD, password_confirm: PASSWORD }, { ...from, tokenPage: '/register' })
      expect(res.status, `registration ${i + 1}`).toBe(303)
    }
    const password = crafted()
    const sixth = await register({ name: 'Sixth', email: uniqueEmail('sixth'), password, password_confirm: password })
    expect(sixth.status).toBe(429)
    expect(sixth.headers.get('retry-after')).toMatch(/^\d+$/)
  }, 180_000)
})
