// The background jobs every worker and replica runs, at start and then periodically. Each is safe
// to run in several processes at once (its own comment says why) and logs counts only; a failure
// (PostgreSQL away) waits for the next round.
import type { Logger } from './lib/logger.js'
import type { AppDeps } from './deps.js'
import { HEARTBEAT_MS } from './services/diagnostics.js'

/** How often each process sweeps expired invitations (ADR 011). */
const INVITATION_SWEEP_MS = 15 * 60_000
/** How often each process purges trash older than 30 days (ADR 027). */
const TRASH_PURGE_MS = 60 * 60_000
/** How often each process prunes activity older than its retention (issue 25), and devices long unseen. */
const ACTIVITY_PRUNE_MS = 60 * 60_000

/** Runs `job` now and every `everyMs`, never two rounds at once; stop() waits for a round under way. */
function repeat(everyMs: number, job: () => Promise<void>) {
  let running: Promise<void> | null = null
  const run = () => {
    running ??= job().finally(() => (running = null))
  }
  run()
  const timer = setInterval(run, everyMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}

export function startBackgroundJobs(deps: Pick<AppDeps, 'services' | 'diagnostics'>, log: Logger) {
  const { diagnostics } = deps
  const jobs = [
    // This process announces itself for the diagnostics' list of processes seen lately (its own
    // key, so several processes never write the same one). Failures at debug: a Redis outage is
    // already reported by /readyz and by every request.
    repeat(HEARTBEAT_MS, () => diagnostics.heartbeat().catch((err) => log.debug({ err }, 'diagnostics heartbeat failed; next round in 30 s'))),
    // Expired invitations lose their copy of the folder key and the folder is marked for re-keying
    // (the sweep locks each folder with SKIP LOCKED, so several processes share the work).
    repeat(INVITATION_SWEEP_MS, () =>
      deps.services.sharing
        .sweepExpiredInvitations()
        .then((folders) => {
          if (folders.length) log.info({ folders: folders.length }, 'expired invitations: copies of folder keys removed, folders marked for re-keying')
        })
        .catch((err) => log.warn({ err }, 'expired-invitation sweep failed; next round in 15 minutes')),
    ),
    // Items trashed more than 30 days ago are deleted for good (one DELETE statement: several at
    // once are safe, trash.ts purgeExpired).
    repeat(TRASH_PURGE_MS, () =>
      deps.services.trash
        .purgeExpired()
        .then(({ purged }) => {
          if (purged) log.info({ items: purged }, 'expired trash: items deleted for good')
        })
        .catch((err) => log.warn({ err }, 'trash purge failed; next round in an hour')),
    ),
    // Security activity past its retention (ACTIVITY_RETENTION_DAYS). Batches of plain DELETEs:
    // several processes at once only share the rows.
    repeat(ACTIVITY_PRUNE_MS, () =>
      deps.services.activity
        .prune()
        .then((pruned) => {
          if (pruned) log.info({ events: pruned }, 'activity past its retention: pruned')
        })
        .catch((err) => log.warn({ err }, 'activity prune failed; next round in an hour')),
    ),
    // Devices not seen for DEVICE_HISTORY_DAYS (services/devices.ts): history only, their sessions
    // long over. One DELETE: several processes at once only share the rows.
    repeat(ACTIVITY_PRUNE_MS, () =>
      deps.services.devices
        .pruneStale()
        .then((pruned) => {
          if (pruned) log.info({ devices: pruned }, 'devices not seen for months: pruned')
        })
        .catch((err) => log.warn({ err }, 'device prune failed; next round in an hour')),
    ),
  ]
  return {
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()))
    },
  }
}
