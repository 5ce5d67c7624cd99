import type { PageContextServer } from 'vike/types'
import { useSessionStore } from '../stores/useSessionStore'

// Server: fill the session store before rendering; its state is serialized for hydration.
export function onBeforeRenderHtml(pageContext: PageContextServer) {
  useSessionStore(pageContext.pinia!).setUser(pageContext.user)
}
