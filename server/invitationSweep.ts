// The one background job: expired invitations lose their copy of the folder key (ADR 011).
import type { Logger } from './lib/logger.js'
import type { AppDeps } from './deps.js'

/** How often each process sweeps expired invitations; also once at start. */
const INVITATION_SWEEP_MS = 15 * 60_000

/**
 * Expired invitations lose their copy of the folder key (and the folder is marked for re-keying):
 * at start and every INVITATION_SWEEP_MS, on every worker and replica (the sweep locks each folder
 * with SKIP LOCKED, so several at once share the work). A failure (PostgreSQL away) waits for the
 * next round.
 */
export function startInvitationSweep(deps: Pick<AppDeps, 'services'>, log: Logger) {
  let running: Promise<void> | null = null
  const run = () => {
    if (running) return
    running = deps.services.sharing
      .sweepExpiredInvitations()
      .then((folders) => {
        if (folders.length) log.info({ folders: folders.length }, 'expired invitations: copies of folder keys removed, folders marked for re-keying')
      })
      .catch((err) => log.warn({ err }, 'expired-invitation sweep failed; next round in 15 minutes'))
      .finally(() => (running = null))
  }
  run()
  const timer = setInterval(run, INVITATION_SWEEP_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
