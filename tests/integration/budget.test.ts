// The dashboard's budget (issue 18, the guard): what /dashboard costs, measured deterministically
// (bytes and counts, never time): HTML, DOM elements and page-context bytes per list row,
// render-blocking stylesheets and their gzip bytes, first-load JS, and SQL statements per dashboard
// and per authenticated request, at 0, 200 and 1,000 items and for a member of folders shared by
// others.
// Each budget is issue 18's goal unless its comment says why not. A change that needs more raises
// a budget here in the open, with its reason in the commit (docs/decisions/021).
//
// The server is this file's own, with one worker, so its /metrics count only these requests' SQL.
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { Client } from '../helpers/http.js'
import { serverForFile } from '../helpers/server.js'
import { TEST_KDF, TEST_LIMITS, createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { firstLoad } from '../../bench/assets.js'
import { dbQueries } from '../../bench/http.js'
import * as crypto from '../../server/lib/crypto.js'
import { rebuildListIndexes } from '../../server/services/listIndex.js'

const db = createTestContext()
const deps = { sequelize: db.sequelize, models: db.models, kdf: TEST_KDF, tokenKeys: [], limits: TEST_LIMITS }
afterAll(() => db.sequelize.close())
const server = serverForFile({ WEB_CONCURRENCY: '1' }, 120_000)

/** Rows on one page of the list (SPEC 6: paginate at 100). */
const PAGE_ROWS = 100

interface Budget {
  max: number
  /** The issue's goal where the budget is above it (the budget's comment says why), else null. */
  goal: number | null
}
const BUDGET = {
  // Issue 18's goals were 512 B and 12 elements (measured about 500 B, 11 elements, 121 B).
  // Raised by issue 21 (ADR 028): each row now holds a checkbox of the bulk form and its star, a
  // submit button of the same form, both working without JavaScript, so each carries the item's id
  // (the checkbox's value, the star's formaction) and an accessible name with the item's name:
  // about 300 B and 2 elements a row. Measured 799 B (823 B for a shared member), 13.3 elements.
  // Lowered again within issue 21 (ADR 028, revised): the checkboxes render in selection mode only
  // (?select=1), so the everyday row carries the star alone. Measured 695 B (716 B for a shared
  // member), 12.2 elements.
  htmlPerRow: { max: 720, goal: 512 },
  domPerRow: { max: 13, goal: 12 },
  statePerRow: { max: 150, goal: null },
  // One (ADR 021: cssCodeSplit off), lowered from 2 by ADR 039: the admin pages' styles are a
  // stylesheet of their own, linked by /admin pages only, so the dashboard's one file stays one.
  stylesheets: { max: 1, goal: null },
  // The dashboard's render-blocking CSS, gzip -9 (ADR 039). The admin pages' styles had raised it
  // from about 13.6 KB to 15,249 B (first paint 444 -> 552 ms); taken out into admin.css, measured
  // 13,912. A little room for the app's own pages, none for another section's whole stylesheet.
  // Then +584 B for issue 25: the activity page's list (ADR 037) and the folder page's exposure
  // report (ADR 038), both of the vault's own pages and reached by client-side navigation, so in
  // the one global file (ADR 021). Measured 14,496. Next to give back: pages outside the dashboard
  // (activity, health, trash) could get their own file as /admin did (ADR 039).
  // Then +85 B for the storage meter in Settings, Data (the quota ADR 033 left without a figure):
  // measured 14,581.
  cssGzip: { max: 14_600, goal: null },
  // Above the goal (60,000): Vue and Pinia are 37 KB of it and Vike's client router 27 KB, before
  // a line of the app (docs/decisions/021 has the breakdown). Today's figure, so it cannot grow.
  // Raised from 72,000 by issue 21 (ADR 028): the rows (VaultRows.vue, preloaded because the server
  // renders them) gained the star, the checkbox and the bulk bar (+950 B), the sidebar its
  // Favourites entry. Measured 73,104. Then +260 B for the rest of issue 21 (ADRs 027, 029, 030):
  // Vike's client route manifest, which every page loads, gains the trash and history pages (about
  // 80 B each), the list its "Password" (age) sort and the copy buttons' click handler. Measured 73,362.
  // Then +160 B: the "Select items" link and the row that gets the password and code buttons on
  // hover or focus, which took 113 B off every row and 200 elements off the list's hydration
  // (ADRs 028 and 030, revised). Measured 73,520.
  // Then +510 B for issue 22 (ADR 031): the route manifest gains the help index, the article and
  // the /about, /privacy, /terms page (its route function runs in the browser too), and every page
  // its footer (Help, About, Privacy, Terms) and the user menu its Help link. Measured 74,029.
  // Then +540 B for issue 23 (ADR 035): the sidebar's Types links, the rows' type (from the flag
  // bits: a login keeps its copy buttons, another type shows its icon), and the list's "N cards ·
  // Show all" line and a type's empty state. Measured 74,569.
  // Then +205 B for issue 24 (ADR 036): Vike's client route manifest gains the one admin page (every
  // /admin URL is that page, pages/admin/(sections)), and the sidebar its "Admin" link (shown to
  // administrators with two-factor only; its icon in the HTML sprite). Measured 74,785.
  // Then +131 B for issue 25 (ADR 037): the route manifest gains the one activity page (both
  // /dashboard/activity and a folder's log are that page, one route glob), and the sidebar its
  // "Activity" link (its icon in the HTML sprite). Measured 74,916.
  jsGzip: { max: 74_980, goal: 60_000 },
  // A dashboard viewed again: the memberships query only (the list comes from the list cache).
  sqlPerDashboard: { max: 1, goal: null },
  // The first dashboard after logging in: memberships with the folders' list indexes.
  sqlPerColdDashboard: { max: 1, goal: null },
  // Authentication reads the session from Redis: never SQL.
  sqlPerAuthentication: { max: 0, goal: null },
} satisfies Record<string, Budget>

/** A user's Personal folder key, opened the way the service opens it. */
function personalKey(u: RegisteredUser, folderId: string, sealedKey: Buffer) {
  const priv = crypto.open(u.vaultKey, u.user.privateKeyWrapped, crypto.privateKeyAad())
  return crypto.openSealed(priv, sealedKey, crypto.folderKeyAad(folderId, u.user.id))
}

/** `n` items with fields shaped like a real vault's, written straight into a folder. */
async function fill(folderId: string, key: Buffer, n: number, prefix = 'Site number') {
  const rows = Array.from({ length: n }, (_, i) => {
    const id = randomUUID()
    const fields = itemFields({ name: `${prefix} ${i}`, username: `person${i}@example.com`, url: `https://login.site${i}.example.com/account` })
    return { id, folderId, ciphertext: crypto.encryptJson(key, { ...fields, score: 4 }, crypto.itemAad(id, folderId)) }
  })
  for (let i = 0; i < rows.length; i += 500) await db.models.Item.bulkCreate(rows.slice(i, i + 500))
  // As every write through the service leaves it: the folder's list index (docs/decisions/020).
  await db.sequelize.transaction((t) => rebuildListIndexes(deps, t, [{ folderId, key }]))
}

async function personalOf(u: RegisteredUser) {
  const folder = await db.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } })
  const m = await db.models.FolderMembership.findOne({ where: { folderId: folder!.id, userId: u.user.id } })
  return { id: folder!.id, key: personalKey(u, folder!.id, m!.sealedKey) }
}

async function logIn(u: { email: string; password: string }) {
  const c = new Client()
  expect((await c.login(u.email, u.password, server.origin)).status).toBe(303)
  return c
}

/** A user with `n` items in Personal, logged in over HTTP. */
async function vaultOf(n: number) {
  const u = await registerUser(db, `Budget ${n}`)
  const personal = await personalOf(u)
  await fill(personal.id, personal.key, n)
  return logIn(u)
}

/** A member of two folders shared by another user (one view only, one edit), `n` items each. */
async function sharedMember(n: number) {
  const owner = await registerUser(db, 'Budget owner')
  const member = await registerUser(db, 'Budget member')
  // Sharing needs verified addresses on both sides.
  await db.sequelize.query('UPDATE users SET verified_at = now() WHERE id IN (:ids)', { replacements: { ids: [owner.user.id, member.user.id] } })
  for (const [i, permission] of (['view', 'edit'] as const).entries()) {
    const { id } = await db.services.vault.createFolder(owner.viewer, `Team ${i}`)
    const m = await db.models.FolderMembership.findOne({ where: { folderId: id, userId: owner.user.id } })
    const key = crypto.openSealed(crypto.open(owner.vaultKey, owner.user.privateKeyWrapped, crypto.privateKeyAad()), m!.sealedKey, crypto.folderKeyAad(id, owner.user.id))
    await fill(id, key, n, `Shared ${i} site`)
    await db.services.sharing.invite(owner.viewer, id, { email: member.email, permission })
    await db.services.sharing.accept(member.viewer, id)
  }
  return logIn(member)
}

interface Measure {
  html: number
  dom: number
  state: number
  stylesheets: number
  page: string
  /** SQL statements of the first dashboard after logging in, and of one viewed again. */
  coldSql: number
  warmSql: number
  /** SQL statements of an authenticated request that reads no data (the landing page). */
  authSql: number
}

async function sqlOf(run: () => Promise<void>) {
  const before = await dbQueries(server.url)
  await run()
  return (await dbQueries(server.url)) - before
}

async function measure(c: Client): Promise<Measure> {
  let page = ''
  const view = async () => {
    const res = await c.get('/dashboard', { server: server.origin })
    expect(res.status).toBe(200)
    page = await res.text()
  }
  const coldSql = await sqlOf(view)
  const warmSql = await sqlOf(view)
  const authSql = await sqlOf(async () => {
    const res = await c.get('/', { server: server.origin })
    expect(res.status).toBe(200)
    await res.arrayBuffer()
  })
  const state = /<script id="vike_pageContext" type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? ''
  // Elements as the parser creates them: opening tags outside script bodies.
  const markup = page.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>')
  return {
    html: Buffer.byteLength(page),
    dom: [...markup.matchAll(/<[a-z][a-z0-9-]*[\s/>]/gi)].length,
    state: Buffer.byteLength(state),
    stylesheets: [...page.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/gi)].length,
    page,
    coldSql,
    warmSql,
    authSql,
  }
}

const within = (what: string, value: number, b: Budget) => {
  console.log(`[budget] ${what}: ${Number.isInteger(value) ? value : value.toFixed(1)} (budget ${b.max}${b.goal === null ? '' : `, goal ${b.goal}`})`)
  expect.soft(value, `${what}: ${value.toFixed(0)} (budget ${b.max}${b.goal === null ? '' : `, goal ${b.goal}`})`).toBeLessThanOrEqual(b.max)
}

describe('the /dashboard budget', () => {
  it('per row and per page, at 0, 200 and 1,000 items and for a shared member', { timeout: 180_000 }, async () => {
    // Per-row figures are the page minus the same page with no items (the sidebar differs).
    const empty = await measure(await vaultOf(0))
    const emptyShared = await measure(await sharedMember(0))
    const vaults: [string, Client, string, Measure][] = [
      ['200 items', await vaultOf(200), 'Site number 0<', empty],
      ['1,000 items', await vaultOf(1000), 'Site number 0<', empty],
      ['a member of 2 shared folders (200 items)', await sharedMember(100), 'Shared 0 site 0<', emptyShared],
    ]
    for (const [label, c, firstRow, empty] of vaults) {
      const full = await measure(c)
      // Every row is on the page (each name once in the markup), so per-row figures are real.
      expect(full.page).toContain(firstRow)
      within(`HTML bytes per row, ${label}`, (full.html - empty.html) / PAGE_ROWS, BUDGET.htmlPerRow)
      within(`DOM elements per row, ${label}`, (full.dom - empty.dom) / PAGE_ROWS, BUDGET.domPerRow)
      within(`page-context bytes per row, ${label}`, (full.state - empty.state) / PAGE_ROWS, BUDGET.statePerRow)
      within(`render-blocking stylesheets, ${label}`, full.stylesheets, BUDGET.stylesheets)
      within(`SQL statements, first dashboard after login, ${label}`, full.coldSql, BUDGET.sqlPerColdDashboard)
      within(`SQL statements, dashboard viewed again, ${label}`, full.warmSql, BUDGET.sqlPerDashboard)
      within(`SQL statements, an authenticated request, ${label}`, full.authSql, BUDGET.sqlPerAuthentication)
    }
    within('render-blocking stylesheets, empty vault', empty.stylesheets, BUDGET.stylesheets)
    within('SQL statements, dashboard viewed again, empty vault', empty.warmSql, BUDGET.sqlPerDashboard)
    within('SQL statements, an authenticated request, empty vault', empty.authSql, BUDGET.sqlPerAuthentication)
    const assets = await firstLoad(empty.page, server.url)
    within('first-load JS, gzip bytes', assets.jsGzip, BUDGET.jsGzip)
    within('render-blocking CSS, gzip bytes', assets.cssGzip, BUDGET.cssGzip)
  })
})
