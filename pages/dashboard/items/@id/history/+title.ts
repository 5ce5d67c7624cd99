import type { PageContext } from 'vike/types'
import type { Data } from './+data'

export default (pageContext: PageContext<Data>) => `History of ${pageContext.data.item.name || 'an unreadable item'} · NucleusID`
