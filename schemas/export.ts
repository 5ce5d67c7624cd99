// The export form (SPEC 3: POST /dashboard/export, field `password`).
import { z } from 'zod'
import { passwordField } from './settings.js'

export const exportSchema = z.object({ password: passwordField('Enter your master password to export your vault.') })
