import type { PageContext } from 'vike/types'
import type { Data } from './+data'

export default (pageContext: PageContext<Data>) => (pageContext.data?.q ? `Search help: ${pageContext.data.q} · NucleusID` : 'Help center · NucleusID')
