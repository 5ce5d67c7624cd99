// Sharing actions (SPEC section 3): invite, change permission, remove or cancel (the owner), and
// accept, decline, leave (the invitee or member). Parse -> service -> 303 (or JSON); every check
// beyond the form's own (ids, ownership, limits) is the sharing service's.
import Router from '@koa/router'
import type { Context } from 'koa'
import { departureMessage, invitationMessage, shareSignupMessage } from '../lib/mailMessages.js'
import type { DepartureNotice } from '../services/exposure.js'
import { NoAccountError } from '../services/sharing.js'
import { parseForm } from '../lib/validate.js'
import { inviteSchema, permissionSchema } from '../../schemas/sharing.js'
import { formAction, redirectTo } from './respond.js'
import { recordEvents } from './activityEvents.js'
import type { ActivityDetails, ActivityKind } from '../../shared/activity.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

const PERMISSION_LABEL = { view: 'can view', edit: 'can edit' } as const

export function sharingRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard' })
  router.use(requireUser)
  const sharing = () => deps.services.sharing
  const body = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, unknown>
  const folderPage = (ctx: Context) => `/dashboard/folders/${encodeURIComponent(ctx.params.id!)}`

  /**
   * Sharing with an address that has no account (ADR 036): when the sign-up policy lets that person
   * in, they are mailed a way to create one: the open registration page (if their domain is
   * allowed), or, with invitation-only sign-up and an administrator sharing, a sign-up invitation.
   * False when the policy allows neither (the "no account" message stands).
   */
  async function offerSignup(ctx: Context, email: string): Promise<boolean> {
    const { signup, admin } = deps.services
    const rules = await signup.rules()
    const user = ctx.state.user!
    const domain = email.slice(email.lastIndexOf('@') + 1)
    let link: string
    let expiresAt: Date | undefined
    if (rules.policy === 'open' && (rules.domains.length === 0 || rules.domains.includes(domain))) {
      link = `${deps.config.appOrigin}/register`
    } else if (rules.policy === 'invite' && user.admin) {
      const { created } = await signup.invite([email], user.id)
      if (!created[0]) return false
      link = `${deps.config.appOrigin}/register?invite=${encodeURIComponent(created[0].token)}`
      expiresAt = created[0].expiresAt
      await admin.record({ id: user.id, email: user.email, ip: ctx.ip }, 'invitation.send', { email }, 'with a folder share')
    } else {
      return false
    }
    deps.mailer.send(shareSignupMessage(email, { ownerName: user.name, link, expiresAt }, deps.config.appOrigin)).catch((err) => ctx.state.log.error({ err }, 'share sign-up mail failed'))
    return true
  }

  /**
   * A sharing event in the logs of both sides (issue 25): the folder's owner and the member or
   * invitee, the owner's row tied to the folder (its activity view lists joins and leaves).
   */
  const recordShare = (ctx: Context, kind: ActivityKind, share: { folderId: string; folderName: string; ownerId: string; memberId: string }, details: ActivityDetails = {}) =>
    recordEvents(
      ctx,
      deps,
      [...new Set([share.ownerId, share.memberId])].map((readerId) => ({
        readerId,
        kind,
        folderId: share.folderId,
        details: { folderName: share.folderName, actorId: ctx.state.user!.id, ...details },
      })),
    )

  router.post(
    '/folders/:id/members',
    formAction(render, folderPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      // Spent before the work (SPEC 4): fifty parallel invitations are checked 30 times at most.
      await deps.rateLimits.spend('invitations', viewer.userId)
      const input = parseForm(inviteSchema, body(ctx))
      let invited
      try {
        invited = await sharing().invite(viewer, ctx.params.id!, input)
      } catch (e) {
        const offered = e instanceof NoAccountError && e.unknown && (await offerSignup(ctx, e.email))
        if (!offered) throw e
        return redirectTo(ctx, deps, folderPage(ctx), {
          type: 'info',
          message: `No account uses ${e.email} yet: we emailed them a link to create one. Invite them here once they have verified their email.`,
        })
      }
      const { invitee, owner, folderName, permission } = invited
      await recordShare(ctx, 'share_invited', { folderId: invited.folderId, folderName, ownerId: viewer.userId, memberId: invitee.id }, { targetEmail: invitee.email, permission })
      // After the commit, and never awaited: a slow mail server does not hold up the owner.
      deps.mailer
        .send(invitationMessage(invitee, { ownerName: owner.name, folderName, permission }, deps.config.appOrigin))
        .catch((err) => ctx.state.log.error({ err }, 'invitation mail failed'))
      redirectTo(ctx, deps, folderPage(ctx), { type: 'success', message: `Invitation sent to ${invitee.name} (${invitee.email}).` })
    }),
  )

  router.post(
    '/folders/:id/members/:userId',
    formAction(render, folderPage, async (ctx) => {
      const viewer = viewerOf(ctx)
      const input = parseForm(permissionSchema, body(ctx))
      const changed = await sharing().changePermission(viewer, ctx.params.id!, ctx.params.userId!, input)
      const { name, permission } = changed
      await recordShare(ctx, 'share_permission', { ...changed, ownerId: viewer.userId, memberId: changed.userId }, { targetEmail: changed.email, permission })
      redirectTo(ctx, deps, folderPage(ctx), { type: 'success', message: `${name} ${PERMISSION_LABEL[permission]} now.` })
    }),
  )

  /**
   * The folder's owner learns that a member left or was removed, and how many items they could read
   * (ADR 038): after the commit, never awaited, and a failure only logged.
   */
  function mailOwner(ctx: Context, departure: DepartureNotice | undefined) {
    if (!departure) return
    deps.mailer
      .send(departureMessage(departure.owner, departure, deps.config.appOrigin))
      .catch((err) => ctx.state.log.error({ err }, 'departure mail failed'))
  }

  router.post('/folders/:id/members/:userId/delete', async (ctx) => {
    const removed = await sharing().removeMember(viewerOf(ctx), ctx.params.id!, ctx.params.userId!)
    const { name, wasPending, expired, departure } = removed
    await recordShare(ctx, 'share_removed', { ...removed, ownerId: ctx.state.user!.id, memberId: removed.userId }, {
      targetEmail: removed.email,
      detail: expired ? 'expired invitation removed' : wasPending ? 'invitation cancelled' : undefined,
    })
    mailOwner(ctx, departure)
    const message = expired ? `Expired invitation to ${name} removed.` : wasPending ? `Invitation to ${name} cancelled.` : `${name} no longer has this folder.`
    redirectTo(ctx, deps, folderPage(ctx), { type: 'success', message })
  })

  router.post('/shares/:folderId/accept', async (ctx) => {
    const { folderId, folderName, ownerId } = await sharing().accept(viewerOf(ctx), ctx.params.folderId!)
    await recordShare(ctx, 'share_accepted', { folderId, folderName, ownerId, memberId: ctx.state.user!.id })
    redirectTo(ctx, deps, `/dashboard/folders/${folderId}`, { type: 'success', message: `“${folderName}” is now in your vault.` })
  })

  router.post('/shares/:folderId/decline', async (ctx) => {
    const { folderId, folderName, ownerId } = await sharing().decline(viewerOf(ctx), ctx.params.folderId!)
    await recordShare(ctx, 'share_declined', { folderId, folderName, ownerId, memberId: ctx.state.user!.id })
    redirectTo(ctx, deps, '/dashboard/shares', { type: 'success', message: `Invitation to “${folderName}” declined.` })
  })

  router.post('/shares/:folderId/leave', async (ctx) => {
    const { folderId, folderName, ownerId, departure } = await sharing().leave(viewerOf(ctx), ctx.params.folderId!)
    await recordShare(ctx, 'share_left', { folderId, folderName, ownerId, memberId: ctx.state.user!.id })
    mailOwner(ctx, departure)
    redirectTo(ctx, deps, '/dashboard/shares', { type: 'success', message: `You left “${folderName}”.` })
  })

  return router
}
