// Sharing forms (SPEC section 3). Isomorphic: no server imports. The sharing routes parse with
// these; the sharing service takes the parsed values.
import { z } from 'zod'
import { emailField } from './auth.js'
import { PERMISSIONS } from '../shared/contract.js'

const permission = z.enum(PERMISSIONS, { error: 'Choose “Can view” or “Can edit”.' })

/** POST /dashboard/folders/:id/members */
export const inviteSchema = z.object({
  email: emailField('Enter the email address of the person to invite.'),
  permission,
})

/** POST /dashboard/folders/:id/members/:userId */
export const permissionSchema = z.object({ permission })

export type InviteInput = z.infer<typeof inviteSchema>
export type PermissionInput = z.infer<typeof permissionSchema>
