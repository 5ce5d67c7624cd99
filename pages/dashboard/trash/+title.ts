import type { PageContext } from 'vike/types'
import type { Data } from './+data'

export default (pageContext: PageContext<Data>) =>
  pageContext.data?.confirm?.kind === 'purge' ? 'Delete forever · NucleusID' : pageContext.data?.confirm?.kind === 'empty' ? 'Empty the trash · NucleusID' : 'Trash · NucleusID'
