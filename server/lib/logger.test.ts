// Sequelize errors carry the SQL and its bound values (emails, hashes, wrapped keys), also on
// their pg error (original/parent) and per field (errors[].value, fields). Logged through the
// app's logger, none of it may reach the log line. Real errors from the real test database.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { createLogger } from './logger.js'
import { createTestContext, registerUser } from '../../tests/helpers/context.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

/** The app's logger writing into a string. */
function capturedLogger() {
  let out = ''
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += chunk.toString()
      done()
    },
  })
  return { log: createLogger('info', stream), text: () => out }
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Error)
  return err as Error
}

describe('logger redaction of database errors', () => {
  it('a unique violation from a model write logs neither the SQL, the bound values nor the key detail', async () => {
    const a = await registerUser(ctx, 'Log Alice')
    const alice = (await ctx.models.User.findByPk(a.user.id))!
    // A second user with Alice's email: every column of hers is a bound value of the INSERT.
    const { id: _id, ...copy } = alice.get({ plain: true })
    const err = await failure(ctx.models.User.create({ ...copy, id: randomUUID() }))
    // The error really carries the secrets (else this test would prove nothing).
    const raw = err as Error & { sql?: string; parent?: { parameters?: unknown; detail?: string }; errors?: { value?: unknown }[] }
    expect(err.name).toBe('SequelizeUniqueConstraintError')
    expect(raw.sql).toContain('INSERT INTO')
    expect(JSON.stringify(raw.parent?.parameters)).toContain(a.email)
    expect(raw.parent?.detail).toContain(a.email)
    expect(raw.errors?.some((e) => e.value === a.email)).toBe(true)

    const { log, text } = capturedLogger()
    log.error({ err }, 'unhandled error')
    const line = text()
    expect(line).toContain('SequelizeUniqueConstraintError')
    expect(line).toContain('23505') // pg's code stays: enough to tell what failed
    expect(line).not.toContain(a.email)
    expect(line).not.toContain('INSERT INTO')
    // Buffers serialize as their byte list, or could appear as hex or base64.
    for (const key of [alice.authHash, alice.vaultKeyByPassword, alice.privateKeyWrapped]) {
      for (const form of [JSON.stringify([...key]).slice(1, -1), key.toString('hex'), key.toString('base64')]) {
        expect(line).not.toContain(form)
      }
    }
  })

  it('a failing raw query with bind parameters logs neither its SQL nor its parameters', async () => {
    const email = `secret-${Date.now()}@example.test`
    const err = await failure(
      ctx.sequelize.query('SELECT id FROM users WHERE email = $1 AND no_such_column = $2', { bind: [email, 'wrapped-key-material'], type: QueryTypes.SELECT }),
    )
    expect(err.name).toBe('SequelizeDatabaseError')
    expect(JSON.stringify((err as Error & { parameters?: unknown }).parameters)).toContain(email)

    const { log, text } = capturedLogger()
    log.error({ err }, 'unhandled error')
    log.error(err) // the error as the object itself: pino puts it under err too
    const line = text()
    expect(line).toContain('no_such_column') // pg's message stays
    expect(line).not.toContain(email)
    expect(line).not.toContain('wrapped-key-material')
    expect(line).not.toContain('SELECT id FROM users')
  })
})
