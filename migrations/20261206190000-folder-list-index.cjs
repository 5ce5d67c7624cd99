'use strict'

/**
 * The per-folder encrypted list index (ADR 020, issue 18). One AES-256-GCM ciphertext per folder,
 * under the folder key, holding what the item list needs for every item of the folder, so that a
 * first view decrypts one value per folder instead of one per item.
 *
 * - folders.list_index: the ciphertext, or NULL. A migration holds no folder key, so existing
 *   folders start without one: their list falls back to decrypting each item, and the next write
 *   to the folder builds the index (server/services/listIndex.ts).
 * - folders.list_index_digest: the items digest (ids and SHA-256 of the ciphertexts, as the
 *   memberships query computes it) that the index describes, in clear so the list can tell from
 *   SQL alone whether to fetch the index or the items. It reveals nothing a dump of the items does
 *   not; the same digest is inside the ciphertext, which is what the reader trusts.
 */
module.exports = {
  async up(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('ALTER TABLE folders ADD COLUMN list_index BYTEA NULL')
    await q('ALTER TABLE folders ADD COLUMN list_index_digest TEXT NULL')
  },
  async down(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('ALTER TABLE folders DROP COLUMN IF EXISTS list_index_digest')
    await q('ALTER TABLE folders DROP COLUMN IF EXISTS list_index')
  },
}
