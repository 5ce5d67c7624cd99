// Accounts against the real database: registration, login, recovery, email verification.
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { createTestContext, registerUser, uniqueEmail } from '../helpers/context.js'
import { ValidationError } from '../../server/lib/errors.js'
import { VERIFY_TOKEN_TTL_MS } from '../../server/services/users.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

describe('registration', () => {
  it('creates the user, the built-in Personal folder and an owner membership in one go', async () => {
    const { user, recoveryCode } = await registerUser(ctx, 'Reg One')
    expect(recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/)
    const folders = await ctx.models.Folder.findAll({ where: { ownerId: user.id } })
    expect(folders.map((f) => [f.name, f.isPersonal])).toEqual([['Personal', true]])
    const memberships = await ctx.models.FolderMembership.findAll({ where: { userId: user.id } })
    expect(memberships).toHaveLength(1)
    expect(memberships[0]!.role).toBe('owner')
    expect(user.verifiedAt).toBeNull()
  })

  it('refuses a duplicate email whatever its case, and writes nothing', async () => {
    const { email } = await registerUser(ctx, 'Dup')
    // Counted by this address only: other test files register users in the same database meanwhile.
    const sameAddress = () => ctx.models.User.count({ where: ctx.sequelize.where(ctx.sequelize.fn('lower', ctx.sequelize.col('email')), email.toLowerCase()) })
    expect(await sameAddress()).toBe(1)
    const attempt = ctx.services.users.register({ name: 'Other', email: email.toUpperCase(), password: 'another long passphrase here' })
    await expect(attempt).rejects.toBeInstanceOf(ValidationError)
    await expect(attempt).rejects.toMatchObject({ fields: { email: expect.stringContaining('already exists') } })
    expect(await sameAddress()).toBe(1)
  })

  it('refuses a guessable password with a message for that field', async () => {
    const attempt = ctx.services.users.register({ name: 'Weak', email: uniqueEmail('weak'), password: 'password1234' })
    await expect(attempt).rejects.toMatchObject({ fields: { password: expect.stringContaining('too easy') } })
  })

  it('stores no plaintext secret: only the auth hash and wrapped keys', async () => {
    const { user, password } = await registerUser(ctx, 'Raw Row')
    const [row] = await ctx.sequelize.query<Record<string, unknown>>('SELECT * FROM users WHERE id = :id', {
      replacements: { id: user.id },
      type: QueryTypes.SELECT,
    })
    const dump = JSON.stringify(row)
    expect(dump).not.toContain(password)
    expect((row!.auth_hash as Buffer).length).toBe(32)
  })
})

describe('login', () => {
  it('opens the same vault key with the right password and refuses a wrong one or unknown email', async () => {
    const u = await registerUser(ctx, 'Login')
    const ok = await ctx.services.users.authenticate(u.email.toUpperCase(), u.password)
    expect(ok?.vaultKey.equals(u.vaultKey)).toBe(true)
    expect(await ctx.services.users.authenticate(u.email, 'wrong password entirely')).toBeNull()
    expect(await ctx.services.users.authenticate(uniqueEmail('nobody'), u.password)).toBeNull()
  })
})

describe('recovery', () => {
  it('re-wraps the vault key under a new password and issues a new code', async () => {
    const u = await registerUser(ctx, 'Recover')
    expect(await ctx.services.users.recover({ email: u.email, recoveryCode: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG', newPassword: 'a brand new passphrase 42' })).toBeNull()
    const typed = u.recoveryCode.toLowerCase().replace(/-/g, ' ')
    const result = await ctx.services.users.recover({ email: u.email, recoveryCode: typed, newPassword: 'a brand new passphrase 42' })
    expect(result?.vaultKey.equals(u.vaultKey)).toBe(true)
    expect(result?.recoveryCode).not.toBe(u.recoveryCode)
    expect(await ctx.services.users.authenticate(u.email, u.password)).toBeNull()
    expect((await ctx.services.users.authenticate(u.email, 'a brand new passphrase 42'))?.vaultKey.equals(u.vaultKey)).toBe(true)
    // The old code is spent.
    expect(await ctx.services.users.recover({ email: u.email, recoveryCode: u.recoveryCode, newPassword: 'yet another passphrase 77' })).toBeNull()
  })
})

describe('email verification', () => {
  it('verifies with a fresh token and refuses tampered, expired or foreign ones', async () => {
    const u = await registerUser(ctx, 'Verify')
    const token = ctx.services.users.verificationToken(u.user)
    expect(await ctx.services.users.verifyEmail(token.slice(0, -2) + 'xx')).toBeNull()
    expect(await ctx.services.users.verifyEmail(token, Date.now() + VERIFY_TOKEN_TTL_MS + 1000)).toBeNull()
    expect(await ctx.services.users.verifyEmail('not-a-token')).toBeNull()
    const verified = await ctx.services.users.verifyEmail(token)
    expect(verified?.verifiedAt).toBeInstanceOf(Date)
    // A token for one user does not verify another (the id is signed).
    const other = await registerUser(ctx, 'Other Verify')
    const forged = token.replace(u.user.id, other.user.id)
    expect(await ctx.services.users.verifyEmail(forged)).toBeNull()
  })
})
