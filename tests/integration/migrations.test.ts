// Migrations: replicas starting together on an empty database migrate once, under the advisory
// lock, and both come up.
import { afterAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createSequelize, migrateWithLock } from '../../server/lib/db.js'

const base = process.env.DATABASE_URL
if (!base) throw new Error('DATABASE_URL is not set: run the suite with `npm test`')
const name = `nid_migrate_${randomBytes(4).toString('hex')}`
const admin = new pg.Client({ connectionString: base })
const url = new URL(base)
url.pathname = `/${name}`

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.end()
})

describe('migrations at start', () => {
  it('two replicas migrating an empty database together apply each migration exactly once', async () => {
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    const a = createSequelize(url.toString(), { poolMax: 3 })
    const b = createSequelize(url.toString(), { poolMax: 3 })
    try {
      const [appliedA, appliedB] = await Promise.all([migrateWithLock(a), migrateWithLock(b)])
      const all = [...appliedA, ...appliedB]
      expect(all.length).toBeGreaterThanOrEqual(5)
      expect(new Set(all).size).toBe(all.length)
      // One of them did all the work; the other found the schema up to date.
      expect([appliedA.length, appliedB.length].sort()).toEqual([0, all.length])
      const [rows] = await a.query('SELECT name FROM "SequelizeMeta" ORDER BY name')
      expect((rows as { name: string }[]).map((r) => r.name)).toEqual([...all].sort())
      expect(await migrateWithLock(a)).toEqual([])
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
