// How long an import of 5,000 rows takes (issues 11 and 20.3), and where the time goes: `npx tsx
// bench/import.ts` against DATABASE_URL (a scratch database: it registers a user there).
// A benchmark, not a test. Passwords are random 16-character strings, as password managers
// generate them, plus some reused and weak ones.
//
// Since ADR 024 an import lands without scoring its passwords; they are scored afterwards in the
// background. The bench prints both: the import (what the user waits for, the request's time) and
// how long the background scoring then takes until every item is checked, and zxcvbn alone on one
// thread for comparison (IMPORT_ZXCVBN=skip leaves that out).
import { randomBytes } from 'node:crypto'
import { QueryTypes } from 'sequelize'
import { createSequelize } from '../server/lib/db.js'
import { createMemoryKv } from '../server/lib/kv.js'
import { initModels } from '../models/index.js'
import { createServices } from '../server/services/index.js'
import { itemStrengthJob } from '../server/services/itemCrypto.js'
import { closeStrengthPool, STRENGTH_THREADS } from '../server/lib/strengthPool.js'
import { passwordScore } from '../shared/passwordStrength.js'

const ROWS = Number(process.env.IMPORT_ROWS ?? 5000)
const url = process.env.DATABASE_URL
if (!url) throw new Error('set DATABASE_URL (a scratch database)')

const counter = { count: 0 }
const sequelize = createSequelize(url, { counter })
const models = initModels(sequelize)
const deps = { sequelize, models, kdf: { logN: 10, r: 8, p: 1 }, tokenKeys: [randomBytes(32)], limits: { foldersPerUser: 100, itemsPerFolder: 5000, membersPerFolder: 50 }, kv: createMemoryKv() }
const services = createServices(deps)

const email = `bench-import-${randomBytes(4).toString('hex')}@example.test`
const { user, vaultKey } = await services.users.register({ name: 'Bench import', email, password: 'bench quartz lantern mosaic orbit velvet' })
const viewer = { userId: user.id, vaultKey }
const personal = (await models.Folder.findOne({ where: { ownerId: user.id, isPersonal: true } }))!.id

// IMPORT_PASSWORDS=none: every password empty, so nothing is scored afterwards either.
const noPasswords = process.env.IMPORT_PASSWORDS === 'none'
const password = (i: number) => (noPasswords ? '' : i % 10 === 0 ? `summer${i % 7}` : i % 10 === 1 ? 'Reused-Password-1' : randomBytes(12).toString('base64'))
const header = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp'
const rows = Array.from({ length: ROWS }, (_, i) => `Folder ${i % 10},,login,Site ${i},,,,https://site${i}.example,user${i}@example.com,"${password(i)}",`)
const file = Buffer.from([header, ...rows].join('\n'))

// zxcvbn alone on one thread, over fields like the file's (what the background scoring spends its time on).
let scoring = NaN
if (process.env.IMPORT_ZXCVBN !== 'skip') {
  const started = performance.now()
  for (let i = 0; i < ROWS; i++) {
    const fields = { name: `Site ${i}`, username: `user${i}@example.com`, password: password(i), url: '', note: '' }
    if (fields.password !== '') passwordScore(fields.password, itemStrengthJob(fields).inputs)
  }
  scoring = performance.now() - started
}

// The import as the server runs it: what the request waits for ends when importCsv returns.
const { importer } = services
counter.count = 0
let started = performance.now()
const result = await importer.importCsv(viewer, { bytes: file, format: 'detect', folderId: personal, keepFolders: true })
const imported = performance.now() - started
const importStatements = counter.count
started = performance.now()
await importer.scorer.idle(user.id)
const background = performance.now() - started
const [left] = await sequelize.query<{ n: number }>(
  `SELECT count(*)::int AS n FROM items i JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = :userId AND i.score_due_at IS NOT NULL`,
  { replacements: { userId: user.id }, type: QueryTypes.SELECT },
)

console.log(`rows: ${ROWS}, imported: ${result.imported} into ${result.folders.length} folders, SQL statements of the import: ${importStatements}`)
console.log(`import (the request): ${(imported / 1000).toFixed(2)} s; ${result.unscored} passwords left to check`)
console.log(`background scoring (${Math.max(1, STRENGTH_THREADS - 1)} of ${STRENGTH_THREADS} pool threads): ${(background / 1000).toFixed(1)} s more, ${left!.n} still unchecked`)
if (!Number.isNaN(scoring)) console.log(`zxcvbn alone on one thread: ${(scoring / 1000).toFixed(1)} s`)
await models.User.destroy({ where: { id: user.id } })
await sequelize.close()
await closeStrengthPool()
