// Email verification over HTTP: the emailed link works once opened anywhere, every session of the
// user learns it at once (no SQL per request), and resending is limited to once a minute.
import { describe, expect, it } from 'vitest'
import { Client, textOf } from '../helpers/http.js'
import { latestVerificationLink } from '../helpers/mail.js'

const BANNER = 'for a link to verify your email address'

describe('email verification', () => {
  it('a link opened on another device (no session) verifies every session of the user', async () => {
    const laptop = new Client()
    const { email } = await laptop.register('Verify Elsewhere')
    expect(textOf(await (await laptop.get('/dashboard')).text())).toContain(BANNER)

    // The phone's mail app opens the link: an anonymous browser.
    const link = new URL(await latestVerificationLink(email))
    const phone = new Client()
    const res = await phone.get(link.pathname + link.search)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')

    const after = textOf(await (await laptop.get('/dashboard')).text())
    expect(after).not.toContain(BANNER)
  })

  it('a tampered link is refused with a page that says what to do', async () => {
    const c = new Client()
    const { email } = await c.register('Verify Tampered')
    const link = new URL(await latestVerificationLink(email))
    const res = await new Client().get(`${link.pathname}?token=${link.searchParams.get('token')!.slice(0, -3)}abc`)
    expect(res.status).toBe(400)
    expect(textOf(await res.text())).toContain('This link does not work')
  })
})
