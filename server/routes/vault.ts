// Folder and item actions (SPEC section 3). Parse (once, here) -> service -> 303 (or JSON), 422
// re-render on invalid input. Ids, limits, ownership and permission checks live in the vault service.
import Router from '@koa/router'
import type { Context } from 'koa'
import { folderSchema, generatorSchema, moveSchema } from '../../schemas/vault.js'
import { itemFormSchema, newItemFormSchema } from '../../schemas/items.js'
import { CUSTOM_FIELDS_MAX } from '../../schemas/limits.js'
import { FIELD_KINDS, type ItemInput } from '../../shared/contract.js'
import { luhnValid } from '../../shared/itemTypes.js'
import { generateSshKey } from '../services/sshKeys.js'
import { parseForm } from '../lib/validate.js'
import { generatePassphrase, generatePassword } from '../../shared/generatePassword.js'
import { PASSPHRASE_WORDS } from '../../shared/passphraseWords.js'
import { itemPasswordInputs } from '../../shared/strengthInputs.js'
import { submittedStrength } from '../services/passwordStrength.js'
import { formAction, keptLists, keptValues, redirectTo } from './respond.js'
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
   * The item form's no-JavaScript buttons (with JavaScript they act in place) submit the form,
   * which comes back with everything the user typed and one thing done (issue 23, ADR 035):
   * - `generate`: a fresh password (or passphrase) made with the options of its gen_* fields, and
   *   its strength; invalid options: 422 with a message beside them;
   * - `generate_key`: a new Ed25519 SSH key pair (server/services/sshKeys.ts);
   * - `add_field` (its value the kind) / `remove_field` (its value the row): one custom field more or less;
   * - `add_url`: one more web address field.
   * Returns false when the form asked for none of these (a save).
   */
  async function renderFormStep(ctx: Context, page: string): Promise<boolean> {
    const b = body(ctx)
    const step = (['generate', 'generate_key', 'add_field', 'remove_field', 'add_url'] as const).find((k) => b[k] !== undefined)
    if (!step) return false
    const values = keptValues(b, { keepSecrets: true })
    const lists = keptLists(b) ?? {}
    let strength: Record<string, number> | undefined
    const rows = (k: string) => (lists[k] ??= values[k] !== undefined ? [values[k]!] : [])
    if (step === 'generate') {
      const options = parseForm(generatorSchema, b)
      values.password = options.mode === 'passphrase' ? generatePassphrase(PASSPHRASE_WORDS, options) : generatePassword(options)
      strength = await submittedStrength('password', values.password, itemPasswordInputs(values.name ?? '', values.username ?? ''), ctx.state.user!.id)
    } else if (step === 'generate_key') {
      const pair = generateSshKey()
      values.private_key = pair.privateKey
      values.public_key = pair.publicKey
    } else if (step === 'add_url') {
      rows('url').push('')
    } else {
      const [names, fieldValues, kinds] = [rows('field_name'), rows('field_value'), rows('field_kind')]
      const count = Math.max(names.length, fieldValues.length, kinds.length)
      for (const list of [names, fieldValues, kinds]) while (list.length < count) list.push(list === kinds ? 'text' : '')
      if (step === 'add_field' && count < CUSTOM_FIELDS_MAX) {
        const kind = String(b.add_field)
        names.push('')
        fieldValues.push(kind === 'checkbox' ? 'false' : '')
        kinds.push((FIELD_KINDS as readonly string[]).includes(kind) ? kind : 'text')
      } else if (step === 'remove_field') {
        const i = Number(b.remove_field)
        if (Number.isInteger(i) && i >= 0 && i < count) for (const list of [names, fieldValues, kinds]) list.splice(i, 1)
      }
    }
    await render(ctx, page, { form: { action: ctx.path, values, lists, errors: {}, strength } })
    return true
  }

  /** What the saved message adds about a card number that fails its checksum (saved all the same). */
  const cardWarning = (item: ItemInput) => (item.card && item.card.number !== '' && !luhnValid(item.card.number) ? ' Check the card number: it fails the checksum cards carry, so it may hold a typo.' : '')

  const newItemPage = (ctx: Context) => `/dashboard/items/new?type=${encodeURIComponent(String(body(ctx).type ?? 'login'))}&folder=${encodeURIComponent(String(body(ctx).folder_id ?? ''))}`

  /** A new Ed25519 key pair for the SSH key form's "Generate" with JavaScript (JSON, never cached). */
  router.post('/items/ssh-key', async (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    await deps.rateLimits.spend('itemCopy', ctx.state.user!.id)
    const { privateKey, publicKey } = generateSshKey()
    ctx.body = { ok: true, privateKey, publicKey }
  })

  router.post(
    '/items',
    formAction(render, newItemPage, async (ctx) => {
      if (await renderFormStep(ctx, newItemPage(ctx))) return
      const { folderId, ...fields } = parseForm(newItemFormSchema, body(ctx))
      const { id } = await vault().createItem(viewerOf(ctx), { folderId, ...fields })
      redirectTo(ctx, deps, `/dashboard/items/${id}`, {
        type: 'success',
        // The flash cookie is signed, not encrypted: it never carries an item's fields (SPEC 4).
        message: `Item added to your vault.${cardWarning(fields)}`,
      })
    }, { keepSecrets: true, strength: itemStrength }),
  )

  router.post(
    '/items/:id',
    formAction(render, (ctx) => `/dashboard/items/${ctx.params.id}/edit`, async (ctx) => {
      const id = ctx.params.id!
      if (await renderFormStep(ctx, `/dashboard/items/${id}/edit`)) return
      const viewer = viewerOf(ctx)
      const fields = parseForm(itemFormSchema, body(ctx))
      // The edit form's folder (absent from older forms): moving goes first, through the same
      // service as "Move to" (destination must be editable, re-encrypted under its key), so a
      // refused move changes nothing.
      const move = body(ctx).folder_id === undefined ? null : parseForm(moveSchema, body(ctx))
      if (move) await vault().moveItem(viewer, id, move.folder_id)
      await vault().updateItem(viewer, id, fields)
      redirectTo(ctx, deps, `/dashboard/items/${id}`, { type: 'success', message: `Changes saved.${cardWarning(fields)}` })
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
