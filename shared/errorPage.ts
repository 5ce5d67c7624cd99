// What the error page says for each status and where it leads back to: one table for the page
// (pages/_error) and the server (server/middleware/errors.ts, which picks the way back).

/** The heading of the error page, by status. */
export const ERROR_TITLES: Readonly<Record<number, string>> = {
  400: 'That request could not be understood',
  401: 'Please log in',
  403: 'You cannot do that',
  404: 'Not found',
  413: 'Too large',
  415: 'That request could not be understood',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Briefly unavailable',
}

export const errorTitle = (status: number) => ERROR_TITLES[status] ?? 'Something went wrong'

/** What an error page was given: a message, or { status, message, back } for statuses Vike's render() does not take. */
export type ErrorReason = string | { status: number; message: string; back?: string } | undefined

/** The status an error page shows (its page and its <title> alike). */
export function errorStatus(p: { abortReason?: unknown; abortStatusCode?: number; is404?: boolean | null }): number {
  const reason = p.abortReason as ErrorReason
  return reason && typeof reason === 'object' ? reason.status : (p.abortStatusCode ?? (p.is404 ? 404 : 500))
}

/** The error page's <title>: "Not found · NucleusID". */
export const errorDocumentTitle = (status: number) => `${errorTitle(status)} · NucleusID`

export const UNAVAILABLE_MESSAGE = 'NucleusID is briefly unavailable. Please try again in a few seconds.'

/** The message when the error brings none of its own. */
export function defaultErrorMessage(status: number): string {
  if (status === 404) return 'This page does not exist, or it is not yours to see.'
  if (status === 503) return UNAVAILABLE_MESSAGE
  return 'Something went wrong on our side. Please try again.'
}

/**
 * The public forms an error page may lead back to, with the words of the link. A logged-out
 * visitor refused (429) by one of them is offered that form again (the message says how long to
 * wait), not a vault they cannot open.
 */
export const BACK_LINKS: Readonly<Record<string, string>> = {
  '/login': 'Back to log in',
  '/login/2fa': 'Back to the code',
  '/register': 'Back to create account',
  '/recover': 'Back to account recovery',
  '/support': 'Back to help',
}

export const isBackLink = (path: string) => Object.hasOwn(BACK_LINKS, path)
