import type { PageContext } from 'vike/types'
import type { Data } from './+data'

export default (pageContext: PageContext<Data>) => (pageContext.data.folder ? `Activity of ${pageContext.data.folder.name} · NucleusID` : 'Activity · NucleusID')
