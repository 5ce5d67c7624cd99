// The domain services, wired to their dependencies. Pages reach them through pageContext.services.
import type { Sequelize } from 'sequelize'
import type { Models } from '../../models/index.js'
import type { KdfParams } from '../lib/crypto.js'
import { createUsersService } from './users.js'
import { createDevicesService } from './devices.js'
import { createVaultService } from './vault.js'

export interface ServiceDeps {
  sequelize: Sequelize
  models: Models
  kdf: KdfParams
  /** Keys for email verification links: the first signs, every one verifies (rotation). */
  tokenKeys: Buffer[]
  limits: { foldersPerUser: number; itemsPerFolder: number; membersPerFolder: number }
}

export function createServices(deps: ServiceDeps) {
  return {
    users: createUsersService(deps),
    devices: createDevicesService(deps.models),
    vault: createVaultService(deps),
  }
}
export type Services = ReturnType<typeof createServices>
