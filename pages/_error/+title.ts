import type { PageContext } from 'vike/types'
import { errorDocumentTitle, errorStatus } from '../../shared/errorPage'

// "Not found · NucleusID", not the bare app name of renderer/+config.ts.
export default (pageContext: PageContext) => errorDocumentTitle(errorStatus(pageContext))
