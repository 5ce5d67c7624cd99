// Recording the account events a route sees (issue 25): sign-ins, devices, account changes,
// export and import, sharing, an administrator's actions. Item events are recorded by the item
// services, in their transactions (services/itemEvents.ts).
import type { Context } from 'koa'
import type { AppDeps } from '../deps.js'
import type { ActivityDetails, ActivityKind } from '../../shared/activity.js'
import type { ActivityEventInput } from '../services/types.js'
import { deviceName } from '../services/devices.js'

/** Where the request came from, as the log shows it. */
export const fromRequest = (ctx: Context): ActivityDetails => ({ ip: ctx.ip, device: deviceName(ctx.get('user-agent')) })

/**
 * Records after what it describes succeeded: one INSERT (and one SELECT for the readers' keys).
 * A failure is logged and never the request's: what the user asked for did happen.
 */
export async function recordEvents(ctx: Context, deps: AppDeps, events: readonly ActivityEventInput[]): Promise<void> {
  try {
    await deps.services.activity.record(events)
  } catch (err) {
    ctx.state.log.error({ err, kinds: events.map((e) => e.kind) }, 'activity not recorded')
  }
}

/** One event of the user's own account, from this request. */
export const recordOwn = (ctx: Context, deps: AppDeps, userId: string, kind: ActivityKind, details: ActivityDetails = {}) =>
  recordEvents(ctx, deps, [{ readerId: userId, kind, details: { ...fromRequest(ctx), ...details } }])
