// The administration forms (issue 24, SPEC 3b), with the messages administrators see.
import { z } from 'zod'
import { emailField } from './auth.js'
import { passwordField } from './settings.js'
import { SIGNUP_POLICIES } from '../models/InstanceSettings.js'

export const INVITE_BATCH_MAX = 50

/** `POST /admin/unlock`: the master password again, and where to go next. */
export const adminUnlockSchema = z.object({ password: passwordField(), next: z.string().max(2048).optional() })

/** `POST /admin/settings`: the sign-up policy and the allowed domains (parsed by services/signup.ts parseDomains). */
export const signupSettingsSchema = z.object({
  signup_policy: z.enum(SIGNUP_POLICIES, { error: 'Choose who can create an account.' }),
  signup_domains: z.string().max(20_000, 'That is too long a list.').optional().default(''),
})

const oneEmail = emailField()

/** `POST /admin/invitations`: one or several addresses, separated by commas, spaces or new lines. */
export const invitationsSchema = z.object({
  emails: z
    .string({ error: 'Enter at least one email address.' })
    .max(20_000, 'That is too long a list.')
    .transform((raw, ctx) => {
      const parts = raw.split(/[\s,;]+/).filter(Boolean)
      if (parts.length === 0) ctx.addIssue({ code: 'custom', message: 'Enter at least one email address.' })
      if (parts.length > INVITE_BATCH_MAX) ctx.addIssue({ code: 'custom', message: `At most ${INVITE_BATCH_MAX} addresses at once.` })
      const emails: string[] = []
      for (const part of parts) {
        const parsed = oneEmail.safeParse(part)
        if (parsed.success) emails.push(parsed.data)
        else ctx.addIssue({ code: 'custom', message: `"${part.slice(0, 80)}" is not a valid email address.` })
      }
      return emails
    }),
})

/** `POST /admin/mail/test`. */
export const mailTestSchema = z.object({ email: emailField('Enter the address to send the test message to.') })

/** `POST /admin/users/:id/delete`: the user's email typed again (checked by the route against the account). */
export const deleteUserSchema = z.object({
  confirm: z.string({ error: 'Type their email address to confirm.' }).trim().min(1, 'Type their email address to confirm.').max(254),
})
