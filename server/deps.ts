// Everything the web layer needs, built once per process (server/index.ts) and passed down.
import type { Sequelize } from 'sequelize'
import type { Config } from './config.server.js'
import type { Logger } from './lib/logger.js'
import type { KeyValue } from './lib/kv.js'
import type { Models } from '../models/index.js'
import type { Csrf } from './lib/csrf.js'
import type { RateLimits } from './lib/rateLimits.js'
import type { SessionIndex } from './session/store.js'
import type { CookieSettings } from './lib/cookies.js'
import type { Mailer } from './lib/mail.js'
import type { Metrics } from './lib/metrics.js'
import type { Services } from './services/index.js'
import type { Diagnostics } from './services/diagnostics.js'

export interface AppDeps {
  config: Config
  log: Logger
  sequelize: Sequelize
  models: Models
  kv: KeyValue
  csrf: Csrf
  rateLimits: RateLimits
  sessionIndex: SessionIndex
  cookieSettings: CookieSettings
  mailer: Mailer
  metrics: Metrics
  services: Services
  /** /admin/diagnostics and the heartbeat that lists processes there (issue 24). */
  diagnostics: Diagnostics
}
