// The database a command-line tool works on: DATABASE_URL, or, as `npm start` does without it, the
// embedded PostgreSQL under DATA_DIR (reached while the server runs it, else started for the command).
import pg from 'pg'
import type { Config } from '../config.server.js'
import type { Logger } from '../lib/logger.js'
import { startEmbeddedPostgres } from '../lib/db.js'

export async function openDatabase(config: Config, log: Logger): Promise<{ url: string; close: () => Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => {} }
  const url = `postgres://nucleusid:nucleusid@127.0.0.1:${config.embeddedPgPort}/nucleusid`
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await probe.connect()
    await probe.end()
    return { url, close: async () => {} }
  } catch {
    // Not running: start it for this command (the data directory must exist: `npm start` made it).
    const embedded = await startEmbeddedPostgres(`${config.dataDir}/postgres`, config.embeddedPgPort, log)
    return { url: embedded.url, close: embedded.stop }
  }
}
