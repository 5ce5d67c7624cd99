// The dashboard's budget (issue 18, the guard): what /dashboard sends for each list row and in
// total, measured deterministically (bytes and counts, never time) at 0, 200 and 1,000 items.
// A change that needs more raises a budget here in the open, with its reason in the commit.
//
// The budgets are today's figures with a little headroom, so nothing grows unnoticed; issue 18
// lowers them to its goals (printed beside each: HTML <= 0.5 KB and page context <= 150 B per row,
// first-load JS <= 60 KB gzip, at most two render-blocking stylesheets) as the page gets there.
// Each figure is printed, and every budget is checked (soft) so one run shows them all.
// SQL per dashboard and per authentication are counted by vault-list.test.ts and the bench.
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { BASE_URL, Client } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser } from '../helpers/context.js'
import { firstLoad } from '../../bench/assets.js'
import * as crypto from '../../server/lib/crypto.js'

const db = createTestContext()
afterAll(async () => {
  await db.sequelize.close()
})

/** Rows on one page of the list (SPEC 6: paginate at 100). */
const PAGE_ROWS = 100

// Measured on 2026-12-06 (main after issue 17): 1,278 B, 14.2 elements and 302 B per row;
// 14 stylesheets; 75,246 B of JS.
const BUDGET = {
  htmlPerRow: { max: 1_300, goal: 512 },
  domPerRow: { max: 15, goal: null },
  statePerRow: { max: 310, goal: 150 },
  jsGzip: { max: 76_000, goal: 60_000 },
  stylesheets: { max: 14, goal: 2 },
}

/** A user with `n` items in Personal, fields shaped like a real vault's, logged in over HTTP. */
async function vaultOf(n: number) {
  const u = await registerUser(db, `Budget ${n}`)
  const folder = await db.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } })
  const m = await db.models.FolderMembership.findOne({ where: { folderId: folder!.id, userId: u.user.id } })
  const priv = crypto.open(u.vaultKey, u.user.privateKeyWrapped, crypto.privateKeyAad())
  const key = crypto.openSealed(priv, m!.sealedKey, crypto.folderKeyAad(folder!.id, u.user.id))
  const rows = Array.from({ length: n }, (_, i) => {
    const id = randomUUID()
    const fields = itemFields({ name: `Site number ${i}`, username: `person${i}@example.com`, url: `https://login.site${i}.example.com/account` })
    return { id, folderId: folder!.id, ciphertext: crypto.encryptJson(key, { ...fields, score: 4 }, crypto.itemAad(id, folder!.id)) }
  })
  for (let i = 0; i < rows.length; i += 500) await db.models.Item.bulkCreate(rows.slice(i, i + 500))
  const c = new Client()
  expect((await c.login(u.email, u.password)).status).toBe(303)
  return c
}

interface Measure {
  html: number
  dom: number
  state: number
  stylesheets: number
  page: string
}

async function measure(c: Client): Promise<Measure> {
  const res = await c.get('/dashboard')
  expect(res.status).toBe(200)
  const page = await res.text()
  const state = /<script id="vike_pageContext" type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? ''
  // Elements as the parser creates them: opening tags outside script bodies.
  const markup = page.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>')
  return {
    html: Buffer.byteLength(page),
    dom: [...markup.matchAll(/<[a-z][a-z0-9-]*[\s/>]/gi)].length,
    state: Buffer.byteLength(state),
    stylesheets: [...page.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/gi)].length,
    page,
  }
}

const within = (what: string, value: number, b: { max: number; goal: number | null }) => {
  console.log(`[budget] ${what}: ${value.toFixed(1)} (budget ${b.max}, goal ${b.goal})`)
  expect.soft(value, `${what}: ${value.toFixed(0)} (budget ${b.max}${b.goal === null ? '' : `, goal ${b.goal}`})`).toBeLessThanOrEqual(b.max)
}

describe('the /dashboard budget', () => {
  it('per row and per page, at 0, 200 and 1,000 items', { timeout: 120_000 }, async () => {
    const empty = await measure(await vaultOf(0))
    for (const n of [200, 1000]) {
      const full = await measure(await vaultOf(n))
      const rows = Math.min(n, PAGE_ROWS)
      // Every row is on the page (each name once in the markup), so per-row figures are real.
      expect(full.page).toContain('Site number 0<')
      within(`HTML bytes per row at ${n} items`, (full.html - empty.html) / rows, BUDGET.htmlPerRow)
      within(`DOM elements per row at ${n} items`, (full.dom - empty.dom) / rows, BUDGET.domPerRow)
      within(`page-context bytes per row at ${n} items`, (full.state - empty.state) / rows, BUDGET.statePerRow)
      within(`render-blocking stylesheets at ${n} items`, full.stylesheets, BUDGET.stylesheets)
    }
    within('render-blocking stylesheets at 0 items', empty.stylesheets, BUDGET.stylesheets)
    const assets = await firstLoad(empty.page, BASE_URL)
    within('first-load JS, gzip bytes', assets.jsGzip, BUDGET.jsGzip)
  })
})
