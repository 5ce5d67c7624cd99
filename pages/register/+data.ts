// Who may sign up here, as in force now (issue 24): the page says so before anyone types. With
// ?invite= the invitation's address, fixed, or that the link is spent. One query (two with a link).
import type { PageContextServer } from 'vike/types'

export async function data(pageContext: PageContextServer) {
  const { services } = pageContext
  const invite = pageContext.urlParsed.search.invite
  const [rules, invitation] = await Promise.all([
    services.signup.rules(),
    invite === undefined ? null : services.signup.invitationView(invite),
  ])
  return {
    policy: rules.policy,
    domains: rules.domains,
    invitation: invitation && { ...invitation, token: invitation.valid ? invite! : null },
  }
}
export type Data = Awaited<ReturnType<typeof data>>
