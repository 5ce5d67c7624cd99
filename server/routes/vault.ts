// Folder and item actions (SPEC section 3). Parse (once, here) -> service -> 303 (or JSON), 422
// re-render on invalid input. Ids, limits, ownership and permission checks live in the vault service.
import Router from '@koa/router'
import type { Context } from 'koa'
import { folderSchema, generatorSchema, itemFieldsSchema, itemSchema, moveSchema } from '../../schemas/vault.js'
import { parseForm } from '../lib/validate.js'
import { generatePassphrase, generatePassword } from '../../shared/generatePassword.js'
import { PASSPHRASE_WORDS } from '../../shared/passphraseWords.js'
import { itemPasswordInputs } from '../../shared/strengthInputs.js'
import { submittedStrength } from '../services/passwordStrength.js'
import { formAction, keptValues, redirectTo } from './respond.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

export function vaultRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard' })
  const vault = () => deps.services.vault
  const body = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, unknown>

  router.use(requireUser)

  /** The meter of a re-rendered item form: the password as the service will score it. */
  const itemStrength = (ctx: Context) => {
    const b = body(ctx)
    return submittedStrength('password', b.password, itemPasswordInputs(String(b.name ?? ''), String(b.username ?? '')), ctx.state.user!.id)
  }

  /**
   * The no-JavaScript "Generate" button submits the item form with `generate`: the form comes
   * back with a fresh password (or passphrase) made with the options of its gen_* fields, its
   * strength, and everything else the user typed. Invalid options: 422 with a message beside them.
   */
  async function renderGenerated(ctx: Context, page: string) {
    const options = parseForm(generatorSchema, body(ctx))
    const values = keptValues(body(ctx), { keepSecrets: true })
    values.password = options.mode === 'passphrase' ? generatePassphrase(PASSPHRASE_WORDS, options) : generatePassword(options)
    const strength = await submittedStrength('password', values.password, itemPasswordInputs(values.name ?? '', values.username ?? ''), ctx.state.user!.id)
    await render(ctx, page, { form: { action: ctx.path, values, errors: {}, strength } })
  }

  router.post(
    '/items',
    formAction(render, (ctx) => `/dashboard/items/new?folder=${encodeURIComponent(String(body(ctx).folder_id ?? ''))}`, async (ctx) => {
      if (body(ctx).generate !== undefined) return renderGenerated(ctx, `/dashboard/items/new?folder=${encodeURIComponent(String(body(ctx).folder_id ?? ''))}`)
      const { folder_id: folderId, ...fields } = parseForm(itemSchema, body(ctx))
      const { id } = await vault().createItem(viewerOf(ctx), { folderId, ...fields })
      redirectTo(ctx, deps, `/dashboard/items/${id}`, {
        type: 'success',
        // The flash cookie is signed, not encrypted: it never carries an item's fields (SPEC 4).
        message: 'Item added to your vault.',
      })
    }, { keepSecrets: true, strength: itemStrength }),
  )

  router.post(
    '/items/:id',
    formAction(render, (ctx) => `/dashboard/items/${ctx.params.id}/edit`, async (ctx) => {
      const id = ctx.params.id!
      if (body(ctx).generate !== undefined) return renderGenerated(ctx, `/dashboard/items/${id}/edit`)
      const viewer = viewerOf(ctx)
      const fields = parseForm(itemFieldsSchema, body(ctx))
      // The edit form's folder (absent from older forms): moving goes first, through the same
      // service as "Move to" (destination must be editable, re-encrypted under its key), so a
      // refused move changes nothing.
      const move = body(ctx).folder_id === undefined ? null : parseForm(moveSchema, body(ctx))
      if (move) await vault().moveItem(viewer, id, move.folder_id)
      await vault().updateItem(viewer, id, fields)
      redirectTo(ctx, deps, `/dashboard/items/${id}`, { type: 'success', message: 'Changes saved.' })
    }, { keepSecrets: true, strength: itemStrength }),
  )

  router.post(
    '/items/:id/move',
    formAction(render, (ctx) => `/dashboard/items/${ctx.params.id}`, async (ctx) => {
      const id = ctx.params.id!
      const input = parseForm(moveSchema, body(ctx))
      const viewer = viewerOf(ctx)
      await vault().moveItem(viewer, id, input.folder_id)
      const folder = await vault().getFolder(viewer, input.folder_id)
      redirectTo(ctx, deps, `/dashboard/items/${id}`, { type: 'success', message: `Moved to ${folder.name}.` })
    }),
  )

  router.post('/items/:id/delete', async (ctx) => {
    const { folderId } = await vault().deleteItem(viewerOf(ctx), ctx.params.id!)
    redirectTo(ctx, deps, `/dashboard/folders/${folderId}`, { type: 'success', message: 'Item moved to the trash. You can restore it from Trash for 30 days.' })
  })

  router.post(
    '/folders',
    formAction(render, () => '/dashboard', async (ctx) => {
      const input = parseForm(folderSchema, body(ctx))
      const { id } = await vault().createFolder(viewerOf(ctx), input.name)
      redirectTo(ctx, deps, `/dashboard/folders/${id}`, { type: 'success', message: `Folder “${input.name}” created.` })
    }),
  )

  router.post(
    '/folders/:id',
    formAction(render, (ctx) => `/dashboard/folders/${ctx.params.id}`, async (ctx) => {
      const input = parseForm(folderSchema, body(ctx))
      await vault().renameFolder(viewerOf(ctx), ctx.params.id!, input.name)
      redirectTo(ctx, deps, `/dashboard/folders/${ctx.params.id}`, { type: 'success', message: `Folder renamed to “${input.name}”.` })
    }),
  )

  router.post('/folders/:id/delete', async (ctx) => {
    const { movedItems } = await vault().deleteFolder(viewerOf(ctx), ctx.params.id!)
    const moved = movedItems === 0 ? '' : movedItems === 1 ? ' Its item was moved to Personal.' : ` Its ${movedItems} items were moved to Personal.`
    redirectTo(ctx, deps, '/dashboard', { type: 'success', message: `Folder deleted.${moved}` })
  })

  return router
}
