'use strict'

/**
 * The everyday vault (issue 21): trash, favourites and history. Only what PostgreSQL must query is
 * in clear; everything an item holds stays in ciphertexts under its folder key.
 *
 * - items.deleted_at: NULL for a live item; the time it was moved to the trash otherwise. A trashed
 *   item keeps its folder (and its ciphertext under that folder's key) and counts nowhere but on
 *   the trash page (access.ts liveItemsIn). It is purged 30 days after this time.
 * - items.deleted_from_folder_id: the folder it was trashed from. When that folder is deleted its
 *   trashed items move to the owner's Personal folder like its live ones; a different folder_id
 *   then says "its folder is gone" on restore. No foreign key: the folder it names may be gone.
 * - item_favourites: one row per user and starred item. Per user: starring a shared item stars it
 *   for that person only. Both sides cascade.
 * - item_versions: an item's earlier versions (the last 20), each a ciphertext under the folder
 *   key bound to the version id, the item id and the folder id (crypto.itemVersionAad). Re-encrypted
 *   with the item on a move and a key rotation.
 */
module.exports = {
  async up(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('ALTER TABLE items ADD COLUMN deleted_at TIMESTAMPTZ NULL')
    await q('ALTER TABLE items ADD COLUMN deleted_from_folder_id UUID NULL')
    await q('CREATE INDEX items_trash_idx ON items (folder_id, deleted_at) WHERE deleted_at IS NOT NULL')
    await q(`CREATE TABLE item_favourites (
      user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      item_id UUID NOT NULL REFERENCES items (id) ON DELETE CASCADE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, item_id)
    )`)
    await q('CREATE INDEX item_favourites_item_idx ON item_favourites (item_id)')
    await q(`CREATE TABLE item_versions (
      id UUID PRIMARY KEY,
      item_id UUID NOT NULL REFERENCES items (id) ON DELETE CASCADE,
      folder_id UUID NOT NULL,
      ciphertext BYTEA NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`)
    await q('CREATE INDEX item_versions_item_idx ON item_versions (item_id, created_at DESC)')
  },
  async down(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('DROP TABLE IF EXISTS item_versions')
    await q('DROP TABLE IF EXISTS item_favourites')
    await q('DROP INDEX IF EXISTS items_trash_idx')
    await q('ALTER TABLE items DROP COLUMN IF EXISTS deleted_from_folder_id')
    await q('ALTER TABLE items DROP COLUMN IF EXISTS deleted_at')
  },
}
