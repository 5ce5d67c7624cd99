// Sends the canary secrets of tests/helpers/canaries.ts through the servers' riskiest paths (a
// shown recovery code, a failed login, an item added, one refused by validation) so that the
// check in scripts/test.mjs, which greps the servers' captured output for them after the suite,
// has something to find if any of these paths ever logs a secret.
import { afterAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD, csrfFrom, recoveryCodeIn, textOf } from '../helpers/http.js'
import { CANARY_ITEM_NOTE, CANARY_ITEM_PASSWORD, CANARY_WRONG_PASSWORD } from '../helpers/canaries.js'
import { createTestContext } from '../helpers/context.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())

const RECOVERY_CODE = /[0-9A-Z]{4}(-[0-9A-Z]{4}){6}/

describe('secrets through the servers (their logs are checked by npm test)', () => {
  it('a recovery code is shown once, a wrong password is refused, a canary item is stored and shown', async () => {
    const c = new Client()
    const { email } = await c.register('Canary')
    const shown = await c.get('/register/recovery-code')
    expect(shown.status).toBe(200)
    expect(recoveryCodeIn(await shown.text())).toMatch(RECOVERY_CODE)
    expect((await c.post('/register/recovery-code', { saved: 'on' }, { tokenPage: '/register/recovery-code' })).status).toBe(303)

    const refused = await new Client().login(email, CANARY_WRONG_PASSWORD)
    expect(refused.status).toBe(422)

    const s = new Client()
    expect((await s.login(email, PASSWORD)).status).toBe(303)
    const token = csrfFrom(await (await s.get('/dashboard')).text())
    const user = await db.models.User.findOne({ where: { email } })
    const folder = await db.models.Folder.findOne({ where: { ownerId: user!.id, isPersonal: true } })
    const item = { _csrf: token, folder_id: folder!.id, name: 'Canary item', username: 'canary@example.test', password: CANARY_ITEM_PASSWORD, url: 'https://canary.example', note: CANARY_ITEM_NOTE }

    const added = await s.request('/dashboard/items', { method: 'POST', form: item })
    expect(added.status).toBe(303)
    const location = added.headers.get('location')!
    expect(location).toMatch(/^\/dashboard\/items\/[0-9a-f-]{36}$/)
    const page = await s.get(location)
    expect(page.status).toBe(200)
    expect(textOf(await page.text())).toContain(CANARY_ITEM_NOTE)

    // Refused by validation (name too long): the form comes back with the values, the log must not.
    const invalid = await s.request('/dashboard/items', { method: 'POST', form: { ...item, name: 'N'.repeat(201) } })
    expect(invalid.status).toBe(422)
  })
})
