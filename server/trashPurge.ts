// Expired trash is deleted for good (issue 21, ADR 027), like the invitation sweep next door.
import type { Logger } from './lib/logger.js'
import type { AppDeps } from './deps.js'

/** How often each process purges trash older than 30 days; also once at start. */
const TRASH_PURGE_MS = 60 * 60_000

/**
 * Deletes items trashed more than 30 days ago: at start and every TRASH_PURGE_MS, on every worker
 * and replica (one DELETE statement: several at once are safe, trash.ts purgeExpired). Logs the
 * count only. A failure (PostgreSQL away) waits for the next round.
 */
export function startTrashPurge(deps: Pick<AppDeps, 'services'>, log: Logger) {
  let running: Promise<void> | null = null
  const run = () => {
    if (running) return
    running = deps.services.trash
      .purgeExpired()
      .then(({ purged }) => {
        if (purged) log.info({ items: purged }, 'expired trash: items deleted for good')
      })
      .catch((err) => log.warn({ err }, 'trash purge failed; next round in an hour'))
      .finally(() => (running = null))
  }
  run()
  const timer = setInterval(run, TRASH_PURGE_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
