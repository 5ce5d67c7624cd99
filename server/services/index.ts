// The domain services, wired to their dependencies. Pages reach them through pageContext.services.
import type { ServiceDeps } from './types.js'
import { createUsersService } from './users.js'
import { createDevicesService } from './devices.js'
import { createVaultService } from './vault.js'
import { createSharingService } from './sharing.js'
import { createTwoFactorService } from './twoFactor.js'
import { createAccountService } from './account.js'
import { createExporter } from './exporter.js'
import { createImporter } from './importer/importer.js'
import { createBackgroundScorer } from './importer/scoring.js'
import { createMemoryKv } from '../lib/kv.js'
import { createTrashService } from './trash.js'
import { createHelpCenter } from './helpCenter.js'
import { createAttachmentService } from './attachments.js'
import { createSignupService } from './signup.js'
import { createAdminService } from './admin.js'
import { createActivityService } from './activity.js'
import { createExposureService } from './exposure.js'

/** Without configuration (scripts, tests): open sign-up, invitations valid 7 days. */
const DEFAULT_SIGNUP = { policy: 'open' as const, domains: [], inviteTtlMs: 7 * 24 * 3600_000 }

export function createServices(baseDeps: ServiceDeps) {
  /** Security activity, sealed to each reader (issue 25): recording, listing, the CSV, pruning. */
  const activity = createActivityService({ sequelize: baseDeps.sequelize, models: baseDeps.models, retentionMs: baseDeps.activityRetentionMs })
  // The item services record what happens to items through it.
  const deps: ServiceDeps = { ...baseDeps, activity }
  const sharing = createSharingService(deps)
  // Imported passwords are scored in the background; a view that finds some waiting resumes it (ADR 024).
  const scorer = createBackgroundScorer(deps)
  const signup = createSignupService({ models: deps.models, signup: deps.signup ?? DEFAULT_SIGNUP })
  return {
    users: createUsersService(deps),
    devices: createDevicesService(deps.models, deps.kv),
    vault: createVaultService(deps, { onUnscored: (viewer) => scorer.resume(viewer) }),
    sharing,
    twoFactor: createTwoFactorService(deps),
    account: createAccountService(deps, sharing),
    exporter: createExporter(deps),
    importer: createImporter({ ...deps, kv: deps.kv ?? createMemoryKv(), scorer }),
    /** Restore, delete forever, empty, and the purge of expired trash (issue 21, ADR 027). */
    trash: createTrashService(deps),
    /** The help articles and the public pages, from content/ (issue 22, ADR 031). */
    help: createHelpCenter(),
    /** Files on items: upload, list, download, delete (issue 23, ADR 033). */
    attachments: createAttachmentService(deps),
    /** Who may create an account, and sign-up invitations (issue 24, ADR 036). */
    signup,
    /** Administrators' actions on accounts, and their log (issue 24, ADR 036). */
    admin: createAdminService(deps, signup),
    activity,
    /** What a departing member saw, for the folder's owner (issue 25, ADR 038). */
    exposure: createExposureService({ sequelize: deps.sequelize, activity }),
  }
}
export type Services = ReturnType<typeof createServices>
