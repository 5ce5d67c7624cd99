import type { PageContext } from 'vike/types'
import type { Data } from './+data'

const NAMES: Record<Exclude<Data['section'], 'user'>, string> = {
  overview: 'Overview',
  users: 'Users',
  invitations: 'Invitations',
  settings: 'Sign-up',
  mail: 'Mail',
  diagnostics: 'Diagnostics',
  log: 'Log',
  unlock: "Confirm it's you",
}

export default (pageContext: PageContext<Data>) => {
  const data = pageContext.data
  const name = data.section === 'user' ? `${data.user.name} · Users` : NAMES[data.section]
  return `${name} · Administration · NucleusID`
}
