// `npm run admin -- grant|revoke <email>` (issue 24, ADR 036), and `admin grant <email>` in the
// Docker image (docker/entrypoint.sh): gives or takes the admin role. The user's sessions end, so
// the change is in force at their next request (their next login carries the new role).
import { loadConfig } from '../config.server.js'
import { createSequelize } from '../lib/db.js'
import { initModels } from '../../models/index.js'
import { createRedisKv } from '../lib/kv.js'
import { createSessionIndex } from '../session/store.js'
import { createAdminService } from '../services/admin.js'
import { createSignupService } from '../services/signup.js'
import { openTarget } from './pgTools.js'

const USAGE = 'Usage: npm run admin -- grant <email> | revoke <email>'

async function main(argv: string[]) {
  const [command, email, ...rest] = argv
  if ((command !== 'grant' && command !== 'revoke') || !email || rest.length) {
    console.error(USAGE)
    return 2
  }
  const config = loadConfig()
  const database = await openTarget(config, { initialise: false })
  const sequelize = createSequelize(database.url, { poolMax: 1 })
  try {
    const models = initModels(sequelize)
    const signup = createSignupService({ models, signup: config.signup })
    const result = await createAdminService({ sequelize, models }, signup).setRole(email, command === 'grant')
    if (!result) {
      console.error(`No account has the address ${email}. It must register first (or be listed in ADMIN_EMAILS, which grants the role at registration).`)
      return 1
    }
    if (!result.changed) {
      console.log(`${result.email} ${command === 'grant' ? 'is already' : 'is not'} an administrator. Nothing changed.`)
      return 0
    }
    if (config.redisUrl) {
      const kv = createRedisKv(config.redisUrl, config.redisPrefix)
      try {
        await kv.whenReady(10_000)
        await createSessionIndex(kv).revokeUserSessions(result.id)
      } finally {
        await kv.close()
      }
      console.log(`${result.email} ${command === 'grant' ? 'is now' : 'is no longer'} an administrator; their sessions were ended.`)
    } else {
      // Without Redis the sessions live in the server's memory, out of this command's reach.
      console.log(`${result.email} ${command === 'grant' ? 'is now' : 'is no longer'} an administrator. Restart the server to end their open sessions (REDIS_URL is unset).`)
    }
    if (command === 'grant' && !result.twoFactor) console.log('They must turn on two-factor authentication (Settings > Security) before /admin opens for them.')
    return 0
  } finally {
    await sequelize.close()
    await database.stop?.()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(1)
  },
)
