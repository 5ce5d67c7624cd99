import type { PageContextClient } from 'vike/types'
import { useSessionStore } from '../stores/useSessionStore'

// Client: after a navigation (login, logout) the user may have changed.
export function onBeforeRenderClient(pageContext: PageContextClient) {
  if (!pageContext.isHydration) useSessionStore(pageContext.pinia!).setUser(pageContext.user)
}
