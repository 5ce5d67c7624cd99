import type { PageContext } from 'vike/types'
import type { Data } from './+data'

const NAMES = { account: 'Account', appearance: 'Appearance', security: 'Security', devices: 'Devices', data: 'Data' } as const

export default (pageContext: PageContext<Data>) => `${NAMES[pageContext.data.section]} · Settings · NucleusID`
