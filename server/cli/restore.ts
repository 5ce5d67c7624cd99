// `npm run restore -- <file>`: loads a dump written by `npm run backup` (or `pg_dump -Fc`) into
// the server's database, which must be empty: restoring over live data would mix two histories.
// One transaction: on any error nothing is left behind.
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.server.js'
import { embeddedDir, fail, findTool, libpqArgs, openTarget, queryOne, runTool, serverMajor, type Target } from './pgTools.js'

async function main() {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} })
  if (positionals.length !== 1) throw new Error('usage: npm run restore -- <backup file>')
  const file = path.resolve(positionals[0]!)
  try {
    accessSync(file, constants.R_OK)
  } catch {
    throw new Error(`cannot read ${file}`)
  }
  const config = loadConfig()
  let target: Target | undefined
  try {
    target = await openTarget(config, { initialise: true })
    // Tables, views and sequences: what the schema's migrations create, and what would collide.
    const { count } = await queryOne<{ count: number }>(
      target.url,
      `SELECT count(*)::int AS count FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
    )
    if (count > 0) {
      const how = target.embedded
        ? `stop npm start, move ${embeddedDir(config)} aside, and run the restore again (it initialises a new, empty embedded PostgreSQL)`
        : 'create an empty one (e.g. `createdb -T template0 nucleusid_restored`, or CREATE DATABASE in psql), point DATABASE_URL at it, and run the restore again'
      throw new Error(`${target.label} is not empty (${count} tables, views or sequences in schema public); a restore goes into an empty database only: ${how}`)
    }
    const pgRestore = findTool('pg_restore', await serverMajor(target.url))
    const { dbname, env } = libpqArgs(target.url)
    // Objects owned by whoever connects (the dump's roles need not exist here); all or nothing.
    await runTool(pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--no-password', dbname, file], env)
    console.log(`Restored ${file} into ${target.label}.`)
    console.log(
      'Next: start the server (npm start, or docker compose up -d); it applies any newer migrations. ' +
        'Sessions live in Redis and are not in a backup: everyone logs in again.',
    )
  } finally {
    await target?.stop?.()
  }
}

await main().catch((e: unknown) => fail('restore', e))
