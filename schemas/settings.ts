// The settings forms (SPEC 3 field names), with the messages users see.
import { z } from 'zod'
import { singleLine } from './text.js'
import { emailField } from './auth.js'
import { MAX_PASSWORD, MIN_PASSWORD, USER_NAME_MAX } from './limits.js'

const name = singleLine(z.string({ error: 'Enter your name.' }).trim().min(1, 'Enter your name.').max(USER_NAME_MAX, `Names are at most ${USER_NAME_MAX} characters.`))

/** A password the user types to confirm a sensitive action (its check is the service's). */
export const passwordField = (missing = 'Enter your master password.') =>
  singleLine(z.string({ error: missing }).min(1, missing).max(MAX_PASSWORD, 'This is not your master password.'))

export const EMAIL_CHANGE_NEEDS_PASSWORD = 'Enter your master password to change your email address.'

/** `password` is needed only to change the email (the route asks for it then); a name alone is not sensitive. */
export const profileSchema = z.object({
  name,
  email: emailField(),
  password: singleLine(z.string().max(MAX_PASSWORD, 'This is not your master password.')).optional(),
})

export const passwordChangeSchema = z
  .object({
    current_password: passwordField('Enter your current master password.'),
    new_password: singleLine(
      z
        .string({ error: 'Choose a new master password.' })
        .min(1, 'Choose a new master password.')
        .min(MIN_PASSWORD, `Use at least ${MIN_PASSWORD} characters.`)
        .max(MAX_PASSWORD, `Use at most ${MAX_PASSWORD} characters.`),
    ),
    new_password_confirm: singleLine(z.string({ error: 'Repeat your new master password.' }).min(1, 'Repeat your new master password.')),
  })
  .refine((v) => v.new_password === v.new_password_confirm, { path: ['new_password_confirm'], message: 'The two passwords do not match.' })

export const confirmPasswordSchema = z.object({ password: passwordField() })

export const appearanceSchema = z.object({
  theme: z.enum(['system', 'light', 'dark'], { error: 'Choose light, dark or system.' }),
})

/** "I have saved my recovery code": the box must be ticked before the vault opens (no-JS POST included). */
export const RECOVERY_SAVED_MISSING = 'Tick the box once you have saved your recovery code: it is the only way back into your vault.'
export const recoverySavedSchema = z.object({ saved: z.literal('on', { error: RECOVERY_SAVED_MISSING }) })
