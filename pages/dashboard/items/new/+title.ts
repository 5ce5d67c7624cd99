import type { PageContext } from 'vike/types'
import { ITEM_TYPES } from '../../../../shared/contract'
import { TYPE_LABELS } from '../../../../shared/itemTypes'

export default (pageContext: PageContext) => {
  const type = ITEM_TYPES.find((t) => t === pageContext.urlParsed.search.type) ?? 'login'
  return `New ${TYPE_LABELS[type].one.toLowerCase()} · NucleusID`
}
