// Shared by the vault pages' +data hooks (server only): the viewer from the session, and domain
// errors turned into Vike's error page with the right status.
import { redirect, render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import { AppError } from '../../server/lib/errors.js'

export function viewerOf(pageContext: PageContextServer) {
  const viewer = pageContext.viewer
  const vaultKey = viewer?.vaultKey()
  if (!viewer || !vaultKey) throw redirect(`/login?next=${encodeURIComponent(pageContext.urlParsed.pathname)}`)
  return { userId: viewer.userId, vaultKey }
}

export async function loadVault<T>(pageContext: PageContextServer, load: (viewer: ReturnType<typeof viewerOf>) => Promise<T>): Promise<T> {
  const viewer = viewerOf(pageContext)
  try {
    return await load(viewer)
  } catch (e) {
    if (e instanceof AppError && (e.status === 404 || e.status === 403)) throw render(e.status, e.message)
    throw e
  }
}

export function pageNumber(raw: string | undefined): number {
  const n = Number.parseInt(raw ?? '1', 10)
  return Number.isFinite(n) && n > 0 ? n : 1
}
