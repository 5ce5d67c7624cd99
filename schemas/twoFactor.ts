// The two-factor forms (SPEC section 3): the login's second step, and turning it on or off.
import { z } from 'zod'
import { MAX_PASSWORD } from './limits.js'
import { singleLine } from './text.js'

const CODE_MESSAGE = 'Enter the 6-digit code from your authenticator app.'

/** Six digits; spaces (as apps show "123 456") are ignored. */
export const totpCode = z
  .string({ error: CODE_MESSAGE })
  .transform((v) => v.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, CODE_MESSAGE))

export const twoFactorLoginSchema = z.object({ code: totpCode })

const masterPassword = singleLine(
  z
    .string({ error: 'Enter your master password.' })
    .min(1, 'Enter your master password.')
    .max(MAX_PASSWORD, 'This is not your master password.'),
)

export const twoFactorEnableSchema = z.object({
  password: masterPassword,
  secret: singleLine(z.string({ error: 'The setup expired. Scan the new QR code and enter its code.' }).max(100, 'The setup expired. Scan the new QR code and enter its code.')),
  code: totpCode,
})

export const twoFactorDisableSchema = z.object({ password: masterPassword })
