// One zod schema per form, with the messages users see. Isomorphic: the server is the authority.
import { z } from 'zod'
import { singleLine } from './text.js'
import { EMAIL_MAX, MAX_PASSWORD, MIN_PASSWORD, RECOVERY_CODE_MAX, USER_NAME_MAX } from './limits.js'

/** An email field, lowercased; `missing` is the message for an empty one. */
export const emailField = (missing = 'Enter your email address.') =>
  singleLine(
    z
      .string({ error: missing })
      .trim()
      .min(1, missing)
      .max(EMAIL_MAX, `Email addresses are at most ${EMAIL_MAX} characters.`),
  )
    .pipe(z.email('Enter a valid email address, like name@example.com.'))
    .transform((e) => e.toLowerCase())

const email = emailField()

const newPassword = singleLine(
  z
    .string({ error: 'Choose a master password.' })
    .min(1, 'Choose a master password.')
    .min(MIN_PASSWORD, `Use at least ${MIN_PASSWORD} characters.`)
    .max(MAX_PASSWORD, `Use at most ${MAX_PASSWORD} characters.`),
)

export const registerSchema = z
  .object({
    name: singleLine(
      z
        .string({ error: 'Enter your name.' })
        .trim()
        .min(1, 'Enter your name.')
        .max(USER_NAME_MAX, `Names are at most ${USER_NAME_MAX} characters.`),
    ),
    email,
    password: newPassword,
    password_confirm: singleLine(z.string({ error: 'Repeat your master password.' }).min(1, 'Repeat your master password.')),
  })
  .refine((v) => v.password === v.password_confirm, {
    path: ['password_confirm'],
    message: 'The two passwords do not match.',
  })

export const loginSchema = z.object({
  email,
  password: singleLine(
    z
      .string({ error: 'Enter your master password.' })
      .min(1, 'Enter your master password.')
      .max(MAX_PASSWORD, 'Email or password is incorrect.'),
  ),
  remember: z.string().optional().transform((v) => v === 'on' || v === 'true' || v === '1'),
})

export type RegisterInput = z.infer<typeof registerSchema>
export type LoginInput = z.infer<typeof loginSchema>

export const recoverSchema = z
  .object({
    email,
    recovery_code: singleLine(
      z
        .string({ error: 'Enter your recovery code.' })
        .trim()
        .min(1, 'Enter your recovery code.')
        .max(RECOVERY_CODE_MAX, 'Email or recovery code is incorrect.'),
    ),
    new_password: newPassword,
    new_password_confirm: singleLine(z.string({ error: 'Repeat your new master password.' }).min(1, 'Repeat your new master password.')),
  })
  .refine((v) => v.new_password === v.new_password_confirm, {
    path: ['new_password_confirm'],
    message: 'The two passwords do not match.',
  })
export type RecoverInput = z.infer<typeof recoverSchema>
