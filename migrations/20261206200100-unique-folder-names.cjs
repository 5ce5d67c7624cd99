'use strict'

/**
 * One folder per name and owner (issue 20, docs/decisions/023): two folders whose names differ
 * only in case, in surrounding spaces or in Unicode form (NFC) are the same name. A unique index
 * on the expression enforces it atomically, whatever writes the row (fifty parallel creations of
 * "Banking" make one folder). The app stores names trimmed and in NFC (server/services/names.ts
 * folderName) and turns a violation into "You already have a folder named …" (folders.ts).
 *
 * Existing duplicates are renamed first, per owner: the built-in Personal folder keeps its name,
 * then the oldest folder of each name does; each later one becomes "Name (2)", "Name (3)" … (the
 * first such name free for that owner, shortened to fit 64 characters). Keys are computed by
 * PostgreSQL with the index's own expression, so the index cannot disagree with the renaming.
 *
 * `down` drops the index only: the renamed folders keep their new names (nothing else depended on
 * the duplicates, and a name restored could not be told from one the user chose since).
 */
const INDEX = 'folders_owner_name_unique'
const KEY = 'lower(normalize(btrim(name), NFC))'
const NAME_MAX = 64

module.exports = {
  async up(queryInterface) {
    const sequelize = queryInterface.sequelize
    await sequelize.transaction(async (transaction) => {
      const q = (sql, replacements) => sequelize.query(sql, { replacements, transaction, type: sequelize.QueryTypes.SELECT })
      // No folder created or renamed while the duplicates are resolved (a rolling deploy's older
      // release may still be writing): reads go on.
      await sequelize.query('LOCK TABLE folders IN SHARE ROW EXCLUSIVE MODE', { transaction })
      const rows = await q(
        `SELECT id, owner_id AS "ownerId", name, ${KEY} AS key,
                row_number() OVER (PARTITION BY owner_id, ${KEY} ORDER BY is_personal DESC, created_at, id) AS rank
         FROM folders
         WHERE (owner_id, ${KEY}) IN (SELECT owner_id, ${KEY} FROM folders GROUP BY 1, 2 HAVING count(*) > 1)
         ORDER BY owner_id, key, rank`,
      )
      const owners = [...new Set(rows.map((r) => r.ownerId))]
      const taken = new Map(owners.map((o) => [o, new Set()]))
      if (owners.length > 0) {
        for (const r of await q(`SELECT owner_id AS "ownerId", ${KEY} AS key FROM folders WHERE owner_id IN (:owners)`, { owners })) {
          taken.get(r.ownerId).add(r.key)
        }
      }
      const keyOf = async (name) => (await q(`SELECT lower(normalize(btrim(:name), NFC)) AS key`, { name }))[0].key
      for (const r of rows) {
        if (Number(r.rank) === 1) continue
        const base = Array.from(r.name.normalize('NFC').trim())
        for (let n = 2; ; n++) {
          const suffix = ` (${n})`
          const candidate = base.slice(0, NAME_MAX - suffix.length).join('').trimEnd() + suffix
          const key = await keyOf(candidate)
          if (taken.get(r.ownerId).has(key)) continue
          taken.get(r.ownerId).add(key)
          await sequelize.query('UPDATE folders SET name = :name, updated_at = now() WHERE id = :id', { replacements: { name: candidate, id: r.id }, transaction })
          break
        }
      }
      await sequelize.query(`CREATE UNIQUE INDEX ${INDEX} ON folders (owner_id, (${KEY}))`, { transaction })
    })
  },
  async down(queryInterface) {
    await queryInterface.sequelize.query(`DROP INDEX IF EXISTS ${INDEX}`)
  },
}
