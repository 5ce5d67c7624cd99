import type { PageContextServer } from 'vike/types'

// The user's appearance on the server-rendered <html>, so the first paint is already in it (no
// flash of the other theme, no JavaScript needed). 'system' leaves it to prefers-color-scheme.
export default function htmlAttributes(pageContext: PageContextServer) {
  const theme = pageContext.user?.theme
  return theme === 'light' || theme === 'dark' ? { 'data-theme': theme } : undefined
}
