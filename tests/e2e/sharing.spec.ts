// Sharing, end to end, as two people see it: an owner invites by email (the invitation mail
// arrives), the invitee accepts on /dashboard/shares and sees the folder and its items, edits by
// the owner reach them, a view-only member can change nothing (hidden and refused by the server),
// removal, declining, leaving, expired invitations, a refused address next to its field, and the
// delete confirmation of a shared folder. Every test runs with JavaScript off and on.
import AxeBuilder from '@axe-core/playwright'
import { QueryTypes } from 'sequelize'
import type { Browser, Page } from '@playwright/test'
import { BASE_URL, csrfFrom, mailTo, open, submitAndWait, watchConsole } from './helpers'
import { at, expect, expectFlash, isJs, itemList, logIn, main, ownerWithFolder, revealPassword, seedUser, sidebar, test, verifiedUser, type Db, type Seeded } from './vault-helpers'

/** Invites through the service and, unless `pending`, accepts as the member. */
async function share(db: Db, owner: Seeded, member: Seeded, folderId: string, permission: 'view' | 'edit', pending = false) {
  await db.services.sharing.invite(owner.viewer, folderId, { email: member.email, permission })
  if (!pending) await db.services.sharing.accept(member.viewer, folderId)
}

/**
 * A second person's browser (the fixture `page` is the first): same project settings, and in the
 * js project the same guard against console errors and hydration warnings as helpers.ts's.
 */
async function secondBrowser(browser: Browser) {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: isJs() })
  const guard = watchConsole(context, isJs())
  const page = await context.newPage()
  return {
    page,
    allow: guard.allow,
    async close() {
      await context.close()
      expect(guard.unexpected(), 'second browser: console errors or hydration warnings').toEqual([])
    },
  }
}

/** ownerWithFolder's "Family", and Max Member invited to it for `permission` (accepted unless `pending`). */
async function folderWithMember(db: Db, permission: 'view' | 'edit', pending = false) {
  const family = await ownerWithFolder(db)
  const member = await verifiedUser(db, 'member', 'Max Member')
  await share(db, family.owner, member, family.folderId, permission, pending)
  return { ...family, member }
}

/** The sidebar's Shares link, whatever its pending count. */
const sharesLink = (page: Page) => sidebar(page).getByRole('link', { name: /^Shares/ })
/** A folder's link in the "Shared with me" part of the sidebar. */
const sharedWithMe = (page: Page) => sidebar(page).getByTestId('shared-folder-list')
/** Opens the folder page's "Share" panel (a <details>) and returns its invite form. */
async function openInvite(page: Page) {
  await main(page).getByText('Share', { exact: true }).click()
  const form = main(page).getByRole('form', { name: 'Invite someone' })
  await expect(form).toBeVisible()
  return form
}

/** The row of one person in a folder's member list. */
const memberRow = (page: Page, email: string) => main(page).getByRole('list', { name: 'People with this folder' }).getByRole('listitem').filter({ hasText: email })

/** POSTs a form by hand with the page's cookies and a CSRF token from one of its pages. */
async function postForm(page: Page, path: string, form: Record<string, string> = {}) {
  const csrf = csrfFrom(await (await page.request.get('/dashboard')).text())
  return page.request.post(path, { form: { _csrf: csrf, ...form }, headers: { Origin: BASE_URL }, maxRedirects: 0 })
}

/** Ages an invitation past its 7 days, as a week of waiting would. */
async function expire(db: Db, folderId: string, userId: string) {
  await db.sequelize.query("UPDATE folder_memberships SET invited_at = now() - interval '8 days' WHERE folder_id = :folderId AND user_id = :userId", {
    replacements: { folderId, userId },
    type: QueryTypes.UPDATE,
  })
}

async function invitationMail(email: string, timeoutMs = 10_000) {
  const started = Date.now()
  for (;;) {
    const mail = (await mailTo(email)).find((m) => /shared a folder with you/.test(m.subject))
    if (mail) return mail
    if (Date.now() - started > timeoutMs) throw new Error(`no invitation mail to ${email}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

test('invite by email, the mail arrives, accept: the folder and its items appear, and edits reach the member', async ({ page, browser, db }) => {
  const { owner, folderId, routerId } = await ownerWithFolder(db)
  const member = await verifiedUser(db, 'member', 'Max Member')

  // The owner invites through the folder page's form.
  await logIn(page, owner)
  await open(page, `/dashboard/folders/${folderId}`)
  await expect(main(page).getByTestId('members')).toContainText('Only you have this folder.')
  const invite = await openInvite(page)
  await invite.getByLabel('Email address').fill(member.email.toUpperCase())
  await invite.getByLabel('Permission').selectOption({ label: 'Can edit' })
  await invite.getByRole('button', { name: 'Send invitation' }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expectFlash(page, `Invitation sent to Max Member (${member.email}).`)
  await expect(memberRow(page, member.email)).toContainText('Invited')
  await expect(memberRow(page, member.email)).toContainText(/Expires \d{1,2} \w{3} \d{4}/)
  await expect(memberRow(page, member.email).getByRole('link', { name: 'Cancel invitation for Max Member' })).toBeVisible()
  await expect((await openInvite(page)).getByLabel('Email address')).toHaveValue('')
  // The owner's folder is now marked shared in the sidebar.
  await expect(sidebar(page).getByTestId('folder-list').getByRole('link', { name: /^Family/ })).toContainText('shared with 1 person')

  // The invitation mail, with the link to Shares.
  const mail = await invitationMail(member.email)
  expect(mail.subject).toBe('Olivia Owner shared a folder with you on NucleusID')
  expect(mail.body).toContain('“Family”')
  expect(mail.body).toContain(`${BASE_URL}/dashboard/shares`)

  // The member: the count beside Shares, the invitation on /dashboard/shares, accept.
  const second = await secondBrowser(browser)
  const mp = second.page
  await logIn(mp, member)
  await expect(sidebar(mp).getByRole('link', { name: 'Shares, 1 pending invitation' })).toBeVisible()
  await expect(sharedWithMe(mp)).toHaveCount(0)
  await open(mp, new URL(mail.body.match(/https?:\/\/\S+\/dashboard\/shares/)![0]).pathname)
  await at(mp, /\/dashboard\/shares$/)
  const card = main(mp).getByRole('list', { name: 'Pending invitations' }).getByRole('listitem').filter({ hasText: 'Family' })
  await expect(card).toContainText('From Olivia Owner')
  await expect(card).toContainText(owner.email)
  await expect(card).toContainText('Can edit')
  await expect(card).toContainText(/Expires \d{1,2} \w{3} \d{4}/)
  await card.getByRole('button', { name: 'Accept' }).click()
  await at(mp, new RegExp(`/dashboard/folders/${folderId}$`))
  await expectFlash(mp, '“Family” is now in your vault.')
  await expect(main(mp).getByTestId('folder-note')).toContainText('Shared by Olivia Owner')
  await expect(itemList(mp).getByRole('link')).toHaveCount(2)
  await expect(mp.getByRole('banner').getByRole('link', { name: '+ New item' })).toBeVisible() // can edit
  await expect(main(mp).getByTestId('my-access')).toContainText('Olivia Owner shares this folder with you: you can view and edit its items.')
  await expect(memberRow(mp, owner.email)).toContainText('Owner')

  // The sidebar: no pending count any more, the folder under "Shared with me" with its owner.
  await expect(sharesLink(mp)).toHaveAccessibleName('Shares')
  const link = sharedWithMe(mp).getByRole('link', { name: /^Family/ })
  await expect(link).toContainText('Olivia Owner')
  await expect(link).toHaveAttribute('title', 'Shared by Olivia Owner')
  await expect(sidebar(mp).getByTestId('folder-list').getByRole('link', { name: /^Family/ })).toHaveCount(0)

  // All items shows the shared folder's items, with the folder's name.
  await sidebar(mp).getByRole('link', { name: /^All items/ }).click()
  await at(mp, /\/dashboard$/)
  await expect(itemList(mp).getByRole('link', { name: /Router/ })).toContainText('Family')

  // The owner sees the member as accepted, then edits an item.
  await open(page, `/dashboard/folders/${folderId}`)
  await expect(memberRow(page, member.email)).toContainText('Since')
  await expect(memberRow(page, member.email).getByRole('link', { name: /^Remove/ })).toBeVisible()
  await open(page, `/dashboard/items/${routerId}/edit`)
  await page.getByLabel('Username or email').fill('admin-renamed')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await at(page, new RegExp(`/dashboard/items/${routerId}$`))
  await expectFlash(page, 'Changes saved.')

  // The member sees the change.
  await open(mp, `/dashboard/items/${routerId}`)
  await expect(main(mp).getByText('admin-renamed', { exact: true })).toBeVisible()
  await expect(main(mp).getByTestId('shared-note')).toContainText('Shared by Olivia Owner')
  await expect(main(mp).getByRole('link', { name: 'Edit' })).toBeVisible()
  await second.close()
})

test('a view-only member sees no way to change the folder, and hand-made changes get 403', async ({ page, db, consoleGuard }) => {
  const { owner, folderId, routerId, tvId } = await ownerWithFolder(db)
  const viewer = await verifiedUser(db, 'viewer', 'Victor Viewer')
  await share(db, owner, viewer, folderId, 'view')
  await logIn(page, viewer)

  await sharedWithMe(page).getByRole('link', { name: /^Family/ }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expect(sharedWithMe(page).getByRole('link', { name: /^Family/ })).toContainText('view only')
  await expect(main(page).getByTestId('folder-note')).toContainText('Shared by Olivia Owner · view only')
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveCount(0) // nor the header's
  await expect(main(page).getByText('Rename or delete')).toHaveCount(0)
  await expect(main(page).getByRole('form', { name: 'Invite someone' })).toHaveCount(0)
  await expect(main(page).getByText('Share', { exact: true })).toHaveCount(0)
  await expect(main(page).getByTestId('my-access')).toContainText('can view')
  await expect(main(page).getByRole('button', { name: /Remove|Cancel invitation|Save/ })).toHaveCount(0)
  await expect(main(page).getByRole('link', { name: /Remove|Cancel invitation/ })).toHaveCount(0)
  await expect(memberRow(page, viewer.email)).toContainText('(you)')
  await expect(memberRow(page, viewer.email)).toContainText('Can view')

  // The item page: readable, no Edit, Move or Delete, and a note saying why.
  await itemList(page).getByRole('link', { name: /Streaming/ }).click()
  await at(page, new RegExp(`/dashboard/items/${tvId}$`))
  await expect(main(page).getByTestId('view-only-note')).toContainText('View only, shared by Olivia Owner')
  await expect(main(page).getByRole('link', { name: 'Edit' })).toHaveCount(0)
  await expect(main(page).getByRole('link', { name: /Delete/ })).toHaveCount(0)
  await expect(main(page).getByLabel('Move to')).toHaveCount(0)
  await revealPassword(page)
  await expect(main(page).getByTestId('password-value')).toHaveText('shared-tv-password-93')

  // Hand-made POSTs with a valid CSRF token: refused by the server.
  const item = { folder_id: folderId, name: 'Sneaky', username: 'x', password: 'y', url: '', note: '' }
  const attempts: [string, Record<string, string>][] = [
    ['/dashboard/items', item],
    [`/dashboard/items/${routerId}`, { ...item, name: 'Changed' }],
    [`/dashboard/items/${routerId}/delete`, {}],
    [`/dashboard/items/${routerId}/move`, { folder_id: viewer.personalId }],
    [`/dashboard/folders/${folderId}/members`, { email: owner.email, permission: 'edit' }],
  ]
  for (const [path, form] of attempts) {
    const res = await postForm(page, path, form)
    expect(res.status(), path).toBe(403)
  }
  const { items } = await db.services.vault.listVault(owner.viewer, { folderId })
  expect(items.map((i) => i.name).sort()).toEqual(['Router', 'Streaming'])
  consoleGuard.allow(/status of 403/)
})

test('the owner removes a member: the folder and its items are gone for them', async ({ page, browser, db, consoleGuard }) => {
  const { owner, folderId, routerId, member } = await folderWithMember(db, 'edit')
  await logIn(page, member)
  await expect(sharedWithMe(page).getByRole('link', { name: /^Family/ })).toBeVisible()

  const second = await secondBrowser(browser)
  await logIn(second.page, owner)
  await open(second.page, `/dashboard/folders/${folderId}`)
  // One click only leads to the confirmation page: nothing changes until it is confirmed.
  await main(second.page).getByRole('link', { name: 'Remove Max Member' }).click()
  await at(second.page, new RegExp(`/dashboard/folders/${folderId}/members/${member.id}/remove$`))
  await expect(main(second.page).getByRole('heading', { level: 1, name: 'Remove Max Member from “Family”?' })).toBeVisible()
  await main(second.page).getByRole('link', { name: 'Cancel' }).click()
  await at(second.page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expect(memberRow(second.page, member.email)).toBeVisible()
  await main(second.page).getByRole('link', { name: 'Remove Max Member' }).click()
  await main(second.page).getByRole('button', { name: 'Remove Max Member' }).click()
  await at(second.page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expectFlash(second.page, 'Max Member no longer has this folder.')
  await expect(memberRow(second.page, member.email)).toHaveCount(0)
  await expect(main(second.page).getByTestId('members')).toContainText('Only you have this folder.')
  await second.close()

  consoleGuard.allow(/status of 404/)
  for (const path of [`/dashboard/folders/${folderId}`, `/dashboard/items/${routerId}`]) {
    const res = await page.goto(path)
    expect(res?.status(), path).toBe(404)
    await expect(main(page).getByRole('heading', { name: 'Not found' })).toBeVisible()
  }
  await open(page, '/dashboard')
  await expect(sharedWithMe(page)).toHaveCount(0)
  await expect(sidebar(page).getByRole('link', { name: /^Family/ })).toHaveCount(0)
  await expect(itemList(page)).toHaveCount(0)
})

test('decline an invitation', async ({ page, db }) => {
  const { owner, folderId, member } = await folderWithMember(db, 'view', true)
  await logIn(page, member)

  await sidebar(page).getByRole('link', { name: 'Shares, 1 pending invitation' }).click()
  await at(page, /\/dashboard\/shares$/)
  const card = main(page).getByRole('list', { name: 'Pending invitations' }).getByRole('listitem').filter({ hasText: 'Family' })
  await expect(card).toContainText('Can view')
  await card.getByRole('button', { name: 'Decline' }).click()
  await at(page, /\/dashboard\/shares$/)
  await expectFlash(page, 'Invitation to “Family” declined.')
  await expect(main(page).getByTestId('shares-empty')).toContainText('Nothing is shared with you yet.')
  await expect(sharesLink(page)).toHaveAccessibleName('Shares')
  await expect(sharedWithMe(page)).toHaveCount(0)
  const { members } = await db.services.sharing.listMembers(owner.viewer, folderId)
  expect(members.map((m) => m.email)).toEqual([owner.email])
})

test('leave a shared folder after confirming', async ({ page, db }) => {
  const { folderId, member } = await folderWithMember(db, 'edit')
  await logIn(page, member)

  await sharesLink(page).click()
  await at(page, /\/dashboard\/shares$/)
  const card = main(page).getByRole('list', { name: 'Shared folders' }).getByRole('listitem').filter({ hasText: 'Family' })
  await expect(card).toContainText('Shared by Olivia Owner')
  await expect(card).toContainText(/Since \d{1,2} \w{3} \d{4}/)
  await expect(card.getByRole('link', { name: 'Family', exact: true })).toHaveAttribute('href', `/dashboard/folders/${folderId}`)
  await card.getByRole('link', { name: 'Leave… “Family”' }).click()
  await at(page, new RegExp(`/dashboard/shares/${folderId}/leave$`))
  await expect(main(page).getByRole('heading', { name: 'Leave “Family”?' })).toBeVisible()
  await expect(main(page)).toContainText('You will no longer see its 2 items.')
  await main(page).getByRole('button', { name: 'Leave folder' }).click()
  await at(page, /\/dashboard\/shares$/)
  await expectFlash(page, 'You left “Family”.')
  await expect(main(page).getByTestId('shares-empty')).toBeVisible()
  await expect(sharedWithMe(page)).toHaveCount(0)
  expect((await db.services.vault.listFolders(member.viewer)).folders.map((f) => f.name)).toEqual(['Personal'])
})

test('an invitation older than 7 days is not shown, and accepting it gives 404', async ({ page, db, consoleGuard }) => {
  const { folderId, member } = await folderWithMember(db, 'edit', true)
  await expire(db, folderId, member.id)
  await logIn(page, member)
  await expect(sharesLink(page)).toHaveAccessibleName('Shares')
  await sharesLink(page).click()
  await at(page, /\/dashboard\/shares$/)
  await expect(main(page).getByTestId('shares-empty')).toBeVisible()
  await expect(main(page).getByText('Family')).toHaveCount(0)

  const res = await postForm(page, `/dashboard/shares/${folderId}/accept`)
  expect(res.status()).toBe(404)
  consoleGuard.allow(/status of 404/)
  expect((await db.services.vault.listFolders(member.viewer)).folders.map((f) => f.name)).toEqual(['Personal'])
})

async function ciphertextsIn(db: Db, folderId: string) {
  const rows = await db.sequelize.query<{ ciphertext: Buffer }>('SELECT ciphertext FROM items WHERE folder_id = :folderId ORDER BY id', {
    replacements: { folderId },
    type: QueryTypes.SELECT,
  })
  return rows.map((r) => r.ciphertext)
}

async function sealedKeyOf(db: Db, folderId: string, userId: string) {
  const [row] = await db.sequelize.query<{ sealed_key: Buffer | null }>('SELECT sealed_key FROM folder_memberships WHERE folder_id = :folderId AND user_id = :userId', {
    replacements: { folderId, userId },
    type: QueryTypes.SELECT,
  })
  return row ? row.sealed_key : undefined
}

test('the owner sees an expired invitation on the folder page and cancels it', async ({ page, db }) => {
  const { owner, folderId, member } = await folderWithMember(db, 'view')
  const lapsed = await verifiedUser(db, 'lapsed', 'Lena Lapsed')
  await share(db, owner, lapsed, folderId, 'edit', true)
  await expire(db, folderId, lapsed.id)
  const before = await ciphertextsIn(db, folderId)
  await logIn(page, owner)

  await open(page, `/dashboard/folders/${folderId}`)
  const row = memberRow(page, lapsed.email)
  await expect(row).toContainText('Expired')
  await expect(row).toContainText(/Invitation expired \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/)
  await expect(row.getByRole('combobox')).toHaveCount(0)
  await expect(main(page).getByTestId('members')).toContainText('1 person has this folder besides you, 1 invitation has expired.')
  // Opening the page re-keyed the folder: the expired invitation's copy of the key is gone.
  expect(await sealedKeyOf(db, folderId, lapsed.id)).toBeNull()
  const after = await ciphertextsIn(db, folderId)
  expect(after.map((c, i) => c.equals(before[i]!))).toEqual([false, false])
  await expect(itemList(page).getByRole('link')).toHaveCount(2)

  await row.getByRole('link', { name: 'Cancel invitation for Lena Lapsed' }).click()
  await expect(main(page).getByRole('heading', { level: 1, name: 'Cancel the invitation to Lena Lapsed?' })).toBeVisible()
  await main(page).getByRole('button', { name: 'Cancel invitation' }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expectFlash(page, 'Expired invitation to Lena Lapsed removed.')
  await expect(memberRow(page, lapsed.email)).toHaveCount(0)
  await expect(memberRow(page, member.email)).toBeVisible()
  expect(await sealedKeyOf(db, folderId, lapsed.id)).toBeUndefined()
  // The member still reads everything with the new key.
  const page2 = await db.services.vault.listVault(member.viewer, { folderId })
  expect(page2.items.map((i) => [i.name, i.unreadable])).toEqual([
    ['Router', false],
    ['Streaming', false],
  ])
})

test('the owner invites again from an expired invitation: a fresh one the invitee can accept', async ({ page, db }) => {
  const { owner, folderId } = await ownerWithFolder(db)
  const lapsed = await verifiedUser(db, 'lapsed', 'Lena Lapsed')
  await share(db, owner, lapsed, folderId, 'edit', true)
  await expire(db, folderId, lapsed.id)
  await logIn(page, owner)

  await open(page, `/dashboard/folders/${folderId}`)
  await memberRow(page, lapsed.email).getByRole('button', { name: 'Invite again Lena Lapsed' }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expectFlash(page, `Invitation sent to Lena Lapsed (${lapsed.email}).`)
  const row = memberRow(page, lapsed.email)
  await expect(row).toContainText('Invited')
  await expect(row).toContainText(/Expires \d{1,2} \w{3} \d{4}/)
  await expect(row).not.toContainText('Invitation expired')
  await expect(row.getByRole('combobox')).toHaveValue('edit')
  await db.services.sharing.accept(lapsed.viewer, folderId)
  const theirs = await db.services.vault.listVault(lapsed.viewer, { folderId })
  expect(theirs.items.map((i) => i.unreadable)).toEqual([false, false])
})

test('inviting an address whose account is not verified shows the message next to the email field, keeping the values', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const { owner, folderId } = await ownerWithFolder(db)
  await logIn(page, owner)
  await open(page, `/dashboard/folders/${folderId}`)
  const invite = await openInvite(page)
  const unknown = (await seedUser(db, 'unverified-invitee')).email
  await invite.getByLabel('Email address').fill(unknown)
  await invite.getByLabel('Permission').selectOption({ label: 'Can edit' })
  const res = await submitAndWait(page, `/dashboard/folders/${folderId}/members`, () => invite.getByRole('button', { name: 'Send invitation' }).click())
  expect(res.status()).toBe(422)
  const email = main(page).getByRole('form', { name: 'Invite someone' }).getByLabel('Email address')
  await expect(email).toHaveAttribute('aria-invalid', 'true')
  await expect(email).toHaveAccessibleDescription(/No NucleusID account with a verified email uses this address/)
  await expect(email).toHaveValue(unknown)
  await expect(main(page).getByRole('form', { name: 'Invite someone' }).getByLabel('Permission')).toHaveValue('edit')
  // The rest of the page is still the folder's.
  await expect(main(page).getByRole('heading', { level: 1, name: 'Family' })).toBeVisible()
  await expect(itemList(page).getByRole('link')).toHaveCount(2)
})

test('the delete confirmation of a shared folder names how many people lose it', async ({ page, db }) => {
  const { owner, folderId } = await ownerWithFolder(db)
  const [a, b, c] = await Promise.all([
    verifiedUser(db, 'm1', 'Ann Member'),
    verifiedUser(db, 'm2', 'Ben Member'),
    verifiedUser(db, 'm3', 'Cat Invitee'),
  ])
  await share(db, owner, a, folderId, 'edit')
  await share(db, owner, b, folderId, 'view')
  await share(db, owner, c, folderId, 'view', true)
  await logIn(page, owner)

  await open(page, `/dashboard/folders/${folderId}`)
  await expect(main(page).getByTestId('folder-note')).toContainText('Shared with 3 people.')
  await page.getByText('Rename or delete').click()
  await main(page).getByRole('link', { name: 'Delete folder…' }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}/delete$`))
  await expect(main(page).getByTestId('shared-warning')).toContainText('It is deleted for everyone it is shared with')
  await expect(main(page).getByTestId('shared-warning')).toContainText('3 people will lose access')
  await expect(main(page)).toContainText('Its 2 items will be moved to your Personal folder')
  await expect(main(page).getByRole('link', { name: 'Cancel' })).toHaveAttribute('href', `/dashboard/folders/${folderId}`)
})

test('the sharing pages have no serious or critical accessibility violation, light and dark', async ({ page, javaScriptEnabled, db }) => {
  // axe runs as a script inside the page; the markup is the same with JavaScript off.
  test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
  // Ten axe analyses (five pages, light and dark): on a loaded two-core machine they alone took
  // the default minute.
  test.slow()
  const { owner, folderId, member } = await folderWithMember(db, 'view')
  const invitee = await verifiedUser(db, 'invitee', 'Ivy Invitee')
  await share(db, owner, invitee, folderId, 'edit', true)
  const lapsed = await verifiedUser(db, 'lapsed', 'Lena Lapsed')
  await share(db, owner, lapsed, folderId, 'view', true)
  await expire(db, folderId, lapsed.id)
  const { id: workId } = await db.services.vault.createFolder(owner.viewer, 'Work')
  await share(db, owner, member, workId, 'edit', true)

  async function check(path: string, before?: () => Promise<void>) {
    await open(page, path)
    await before?.()
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await page.waitForTimeout(200) // colour transitions (120 ms) settle before contrast is measured
      const results = await new AxeBuilder({ page }).analyze()
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(serious.map((v) => `${path} ${colorScheme}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
    }
  }
  await logIn(page, member)
  await check('/dashboard/shares')
  await check(`/dashboard/folders/${folderId}`)
  await check(`/dashboard/shares/${folderId}/leave`)
  await page.context().clearCookies()
  await logIn(page, owner)
  await check(`/dashboard/folders/${folderId}`, async () => {
    await openInvite(page)
  })
  await check(`/dashboard/folders/${folderId}/delete`)
})
