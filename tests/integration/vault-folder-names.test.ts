// Folder names are unique per owner, compared case aside, trimmed and in NFC (docs/decisions/023): the
// database's unique index decides, so parallel creations of one name make one folder; a rename
// to a name the owner has is refused at the name field; the migration renames duplicates that
// existed before it ("Name (2)") and reverses.
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize'
import { ValidationError } from '../../server/lib/errors.js'
import { createTestContext, registerUser } from '../helpers/context.js'
import { expectError, expectFieldError, personalId } from '../helpers/vault.js'

type QueryInterfaceLike = { sequelize: object }
const migration = createRequire(import.meta.url)('../../migrations/20261206200100-unique-folder-names.cjs') as {
  up(qi: QueryInterfaceLike): Promise<void>
  down(qi: QueryInterfaceLike): Promise<void>
}

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

const namesOf = async (ownerId: string) =>
  (await ctx.models.Folder.findAll({ where: { ownerId }, order: [['createdAt', 'ASC'], ['id', 'ASC']] })).map((f) => f.name)

describe('folder names are unique per owner', () => {
  it('fifty parallel creations of one name (any case, spacing or Unicode form) make exactly one folder', async () => {
    const u = await registerUser(ctx, 'Racer')
    const spellings = ['Café Banking', 'café banking', '  CAFÉ BANKING ', 'Cafe\u0301 Banking']
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => vault.createFolder(u.viewer, spellings[i % spellings.length]!)))
    const made = results.filter((r) => r.status === 'fulfilled')
    expect(made).toHaveLength(1)
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ValidationError)
        expect((r.reason as ValidationError).fields.name).toMatch(/^You already have a folder named “/)
      }
    }
    const names = await namesOf(u.user.id)
    expect(names.filter((n) => n.toLowerCase().normalize('NFC') === 'café banking')).toHaveLength(1)
    // Stored trimmed, as typed otherwise (an export must give back the very code points).
    const winner = names.find((n) => n.toLowerCase().normalize('NFC') === 'café banking')!
    expect(spellings.map((n) => n.trim())).toContain(winner)
  })

  it('the database refuses a duplicate written around the service', async () => {
    const u = await registerUser(ctx, 'Raw')
    await vault.createFolder(u.viewer, 'Banking')
    await expectError(ctx.models.Folder.create({ id: randomUUID(), ownerId: u.user.id, name: 'BANKING' }), UniqueConstraintError)
  })

  it('another owner may use the same name', async () => {
    const a = await registerUser(ctx, 'Owner A')
    const b = await registerUser(ctx, 'Owner B')
    await vault.createFolder(a.viewer, 'Shared name')
    await vault.createFolder(b.viewer, 'shared NAME')
  })

  it('a rename to a name the owner has is refused at the name field; a change of case of its own name is not', async () => {
    const u = await registerUser(ctx, 'Renamer')
    await vault.createFolder(u.viewer, 'Banking')
    const { id } = await vault.createFolder(u.viewer, 'Travel')
    await expectFieldError(vault.renameFolder(u.viewer, id, ' banking'), 'name', 'You already have a folder named “banking”. Choose another name.')
    await expectFieldError(vault.renameFolder(u.viewer, id, 'personal'), 'name', /already have a folder named “personal”/)
    expect((await vault.getFolder(u.viewer, id)).name).toBe('Travel')
    await vault.renameFolder(u.viewer, id, 'TRAVEL')
    expect((await vault.getFolder(u.viewer, id)).name).toBe('TRAVEL')
  })
})

describe('the migration', () => {
  /** The migration's up and down inside `t` (rolled back after): a queryInterface whose transactions are `t`. */
  const inTransaction = (t: Transaction) => ({
    sequelize: {
      QueryTypes,
      transaction: (fn: (t: Transaction) => Promise<unknown>) => fn(t),
      query: (sql: string, opts: Record<string, unknown> = {}) => ctx.sequelize.query(sql, { ...opts, transaction: t }),
    },
  })
  const indexExists = async (t: Transaction) =>
    (await ctx.sequelize.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'folders_owner_name_unique'`, { type: QueryTypes.SELECT, transaction: t })).length === 1

  it('renames the later duplicates "Name (2)" … (Personal and the oldest keep theirs), adds the index, and reverses', async () => {
    const u = await registerUser(ctx, 'Legacy')
    const personal = await personalId(ctx, u)
    const t = await ctx.sequelize.transaction()
    try {
      const qi = inTransaction(t)
      await migration.down(qi)
      expect(await indexExists(t)).toBe(false)
      const long = 'L'.repeat(64)
      const base = Date.parse('2026-01-01T00:00:00Z')
      const rows = ['Banking', 'Banking (2)', 'banking ', 'Personal', 'BANKING', 'Cafe\u0301', 'café', long, long.toLowerCase(), 'Other']
      for (const [i, name] of rows.entries()) {
        await ctx.models.Folder.create({ id: randomUUID(), ownerId: u.user.id, name, createdAt: new Date(base + i * 1000) }, { transaction: t })
      }
      await migration.up(qi)
      expect(await indexExists(t)).toBe(true)
      const after = await ctx.models.Folder.findAll({ where: { ownerId: u.user.id }, order: [['createdAt', 'ASC']], transaction: t })
      const byOld = new Map(after.filter((f) => f.id !== personal).map((f, i) => [rows[i], f.name]))
      expect((await ctx.models.Folder.findByPk(personal, { transaction: t }))!.name).toBe('Personal')
      expect(Object.fromEntries(byOld)).toEqual({
        Banking: 'Banking',
        'Banking (2)': 'Banking (2)',
        'banking ': 'banking (3)',
        Personal: 'Personal (2)',
        BANKING: 'BANKING (4)',
        'Cafe\u0301': 'Cafe\u0301',
        café: 'café (2)',
        [long]: long,
        [long.toLowerCase()]: `${'l'.repeat(60)} (2)`,
        Other: 'Other',
      })
      await migration.down(qi)
      expect(await indexExists(t)).toBe(false)
    } finally {
      await t.rollback()
    }
  })
})
