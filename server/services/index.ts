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
import { createMemoryKv } from '../lib/kv.js'

export function createServices(deps: ServiceDeps) {
  const sharing = createSharingService(deps)
  return {
    users: createUsersService(deps),
    devices: createDevicesService(deps.models, deps.kv),
    vault: createVaultService(deps),
    sharing,
    twoFactor: createTwoFactorService(deps),
    account: createAccountService(deps, sharing),
    exporter: createExporter(deps),
    importer: createImporter({ ...deps, kv: deps.kv ?? createMemoryKv() }),
  }
}
export type Services = ReturnType<typeof createServices>
