// Folder and item actions (SPEC section 3). Filled in by the vault work.
import Router from '@koa/router'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

export function vaultRoutes(_deps: AppDeps, _render: Render) {
  return new Router()
}
