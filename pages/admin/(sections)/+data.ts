// The data of every /admin section (one Vike page, +route.ts): the path says which, and each
// section loads only what it shows. The services' refusals (an unknown or malformed user id) reach
// the page as a 404 through server/render.ts. Query parameters are read defensively: anything
// unexpected means the default, never an error.
import { render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import { USER_SORTS, type UserSort } from '../../../shared/admin'
import { adminNext } from '../../../shared/adminNext'

/** A whole number from 1 ("2"), else 1. */
function pageNumber(raw: string | undefined): number {
  if (!raw || !/^\d{1,6}$/.test(raw)) return 1
  const n = Number(raw)
  return n > 0 ? n : 1
}

export async function data(pageContext: PageContextServer) {
  const { services } = pageContext
  const { search, searchAll } = pageContext.urlParsed
  // ['admin', section?, id?]: '/admin', '/admin/users', '/admin/users/<id>'
  const [root, section = '', id, ...rest] = pageContext.urlPathname.split('/').filter(Boolean)
  // The route's glob also matches /adminstuff; a path deeper than a user's page is nothing either.
  if (root !== 'admin' || rest.length || (id !== undefined && section !== 'users')) throw render(404)
  switch (section) {
    case '':
      return { section: 'overview', overview: await services.admin.overview() } as const
    case 'users': {
      if (id !== undefined) return { section: 'user', user: await services.admin.getUser(id) } as const
      // A repeated parameter (?q=a&q=b) counts once: its first value.
      const sort = USER_SORTS.find((s) => s === searchAll.sort?.[0]) ?? ('created' satisfies UserSort)
      const users = await services.admin.listUsers({ q: (searchAll.q?.[0] ?? '').slice(0, 200), sort, page: pageNumber(searchAll.page?.[0]) })
      return { section: 'users', users } as const
    }
    case 'invitations': {
      const [invitations, rules] = await Promise.all([services.signup.listInvitations(), services.signup.rules()])
      return { section: 'invitations', invitations, policy: rules.policy } as const
    }
    case 'settings':
      return { section: 'settings', rules: await services.signup.rules() } as const
    case 'mail':
      return { section: 'mail', mail: services.admin.mailSettings() } as const
    case 'diagnostics':
      // The report the renderer builds with this request's facts (server/render.ts); every probe in it
      // is bounded and caught, so a store that is down is a line of it, not a failed page.
      return { section: 'diagnostics', report: await pageContext.diagnostics() } as const
    case 'log':
      return { section: 'log', log: await services.admin.log(pageNumber(searchAll.page?.[0])) } as const
    case 'unlock':
      return { section: 'unlock', next: adminNext(search.next) } as const
    default:
      throw render(404)
  }
}
export type Data = Awaited<ReturnType<typeof data>>
export type AdminSection = Data['section']
