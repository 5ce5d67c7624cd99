// `npm run backup [-- --dir <folder>] [--keep <n>]`: a compressed, consistent dump of the
// server's PostgreSQL (pg_dump's custom format: one snapshot, restorable with pg_restore) into a
// folder, keeping the newest n. Redis is not backed up: it holds only sessions and counters.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { loadConfig } from '../config.server.js'
import { fail, findTool, libpqArgs, openTarget, runTool, serverMajor, type Target } from './pgTools.js'

/** Our files only: retention never touches anything else in the folder. */
const BACKUP_NAME = /^nucleusid-\d{8}T\d{6}Z\.dump$/

// Read here rather than in config.server.ts: only this command uses them. Flags win over env.
const optionsSchema = z.object({
  BACKUP_DIR: z.string().optional(),
  BACKUP_KEEP: z.coerce.number({ error: '--keep / BACKUP_KEEP must be a whole number from 1 to 10000' }).int().min(1).max(10_000).default(14),
})

function options() {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, keep: { type: 'string' } } })
  const given = {
    BACKUP_DIR: values.dir ?? process.env.BACKUP_DIR,
    BACKUP_KEEP: values.keep ?? process.env.BACKUP_KEEP,
  }
  const parsed = optionsSchema.safeParse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== '')))
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '))
  return parsed.data
}

/** 2026-12-07T02:00:00.123Z -> 20261207T020000Z: sorts by name in time order. */
const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')

/** Deletes all but the newest `keep` of our backups; returns the names deleted. */
function prune(dir: string, keep: number) {
  const ours = readdirSync(dir)
    .filter((f) => BACKUP_NAME.test(f))
    .sort()
    .reverse()
  const old = ours.slice(keep)
  for (const f of old) unlinkSync(path.join(dir, f))
  return old
}

async function main() {
  const opts = options()
  const config = loadConfig()
  const dir = path.resolve(opts.BACKUP_DIR ?? path.join(config.dataDir, 'backups'))
  let target: Target | undefined
  try {
    target = await openTarget(config, { initialise: false })
    const pgDump = findTool('pg_dump', await serverMajor(target.url))
    // The dumps hold every account's encrypted vault: readable by this user only.
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const name = `nucleusid-${stamp(new Date())}.dump`
    const final = path.join(dir, name)
    // A hidden name that retention never counts; renamed only once complete, so an
    // interrupted or failed dump leaves no file that looks like a backup.
    const partial = path.join(dir, `.${name}.partial-${process.pid}`)
    const fd = openSync(partial, 'wx', 0o600)
    const removePartial = () => {
      try {
        unlinkSync(partial)
      } catch {
        // already renamed or removed
      }
    }
    const interrupted = () => {
      removePartial()
      process.exit(130)
    }
    process.once('SIGINT', interrupted).once('SIGTERM', interrupted)
    try {
      const { dbname, env } = libpqArgs(target.url)
      try {
        await runTool(pgDump, ['--format=custom', '--no-password', dbname], env, fd)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(partial, final)
    } catch (e) {
      removePartial()
      throw e
    }
    const deleted = prune(dir, opts.BACKUP_KEEP)
    const size = statSync(final).size
    console.log(`Backup of ${target.label} written to ${final} (${size} bytes).`)
    if (deleted.length) console.log(`Kept the newest ${opts.BACKUP_KEEP}; deleted ${deleted.join(', ')}.`)
  } finally {
    await target?.stop?.()
  }
}

await main().catch((e: unknown) => fail('backup', e))
