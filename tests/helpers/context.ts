// Real services on the real test database (DATABASE_URL prepared by scripts/test.mjs).
import { randomBytes } from 'node:crypto'
import { createSequelize, type QueryCounter } from '../../server/lib/db.js'
import { initModels } from '../../models/index.js'
import { createServices } from '../../server/services/index.js'
import type { ItemFields } from '../../shared/contract.js'
import { ITEM_PASSWORD, SEED_PASSWORD } from './canaries.js'

export const TEST_KDF = { logN: 10, r: 8, p: 1 }
export const TEST_LIMITS = { foldersPerUser: 100, itemsPerFolder: 5000, membersPerFolder: 50 }

export function createTestContext(limits = TEST_LIMITS) {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: run the suite with `npm test`')
  const counter: QueryCounter = { count: 0 }
  const sequelize = createSequelize(url, { poolMax: 4, counter })
  const models = initModels(sequelize)
  /** What createServices got, for building a service with other options. */
  const deps = { sequelize, models, kdf: TEST_KDF, tokenKeys: [Buffer.alloc(32, 7)], limits }
  const services = createServices(deps)
  return { sequelize, models, services, counter, deps }
}

export type TestContext = ReturnType<typeof createTestContext>

/** Runs `fn` and counts the SQL queries it sent through this context's pool. */
export async function countQueries<T>(c: TestContext, fn: () => Promise<T>): Promise<{ result: T; count: number }> {
  const before = c.counter.count
  const result = await fn()
  return { result, count: c.counter.count - before }
}

export const uniqueEmail = (tag = 'user') => `${tag}-${randomBytes(5).toString('hex')}@example.test`

/** Registers a real user and returns what a logged-in session would hold. */
export async function registerUser(ctx: ReturnType<typeof createTestContext>, name = 'Test User') {
  const email = uniqueEmail(name.toLowerCase().replace(/\W+/g, '-'))
  const password = SEED_PASSWORD
  const { user, vaultKey, recoveryCode } = await ctx.services.users.register({ name, email, password })
  return { user, vaultKey, recoveryCode, email, password, viewer: { userId: user.id, vaultKey } }
}

export type RegisteredUser = Awaited<ReturnType<typeof registerUser>>

/** An item's fields with a strong password; override what a test is about. */
export const itemFields = (over: Partial<ItemFields> = {}): ItemFields & Record<string, string> => ({
  name: 'Example',
  username: 'someone@example.test',
  password: ITEM_PASSWORD,
  url: 'https://example.com/login',
  note: '',
  ...over,
})
