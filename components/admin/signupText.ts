// How the admin pages word the sign-up rules (shared/admin.ts SignupRules): one place for the
// overview and the Sign-up section.
import type { SignupPolicy, SignupRules } from '../../shared/admin'

/** One line under each policy's label. */
export const SIGNUP_POLICY_HINTS: Record<SignupPolicy, string> = {
  open: 'Anyone who reaches this server can register, from the allowed domains below if any are set.',
  invite: 'Only people you invite from Invitations can register, each with the address invited (the domains do not apply).',
  closed: 'Nobody can register and invitations cannot be used. Existing accounts keep working.',
}

/** Where a value in force comes from. */
export const sourceText = (source: SignupRules['policySource']) =>
  source === 'admin' ? 'set here by an administrator' : "the server's default, from its environment"

export const domainsText = (domains: string[]) => (domains.length ? domains.join(', ') : 'any domain')
