'use strict'

/**
 * File attachments on items (issue 23, ADR 033). Stored in PostgreSQL, so every replica sees them
 * and a database backup holds them; everything a user put in them is encrypted.
 *
 * - attachments: one row per file. `wrapped_key` is the file's own random key sealed under the
 *   folder key of the item's folder, bound to the attachment, item and folder ids (crypto.ts
 *   attachmentKeyAad): a move or a folder key rotation re-seals this small value, never the file.
 *   `name_ciphertext` is the file name under the file key. `size` (plaintext bytes) and
 *   `chunk_count` are in clear: the quota is summed in SQL, and the reader knows which chunk is the
 *   last. Goes with its item (ON DELETE CASCADE): purge, empty trash, expired purge, a folder
 *   deleted with unreadable items, account deletion.
 * - attachment_chunks: the file in pieces of 64 KiB, each sealed on its own under the file key and
 *   bound to (attachment id, index, last-or-not), so a chunk moved, dropped or swapped fails.
 *   STORAGE EXTERNAL: ciphertext does not compress, so PostgreSQL should not try.
 */
module.exports = {
  async up(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q(`CREATE TABLE attachments (
      id UUID PRIMARY KEY,
      item_id UUID NOT NULL REFERENCES items (id) ON DELETE CASCADE,
      wrapped_key BYTEA NOT NULL,
      name_ciphertext BYTEA NOT NULL,
      size BIGINT NOT NULL CHECK (size > 0),
      chunk_count INTEGER NOT NULL CHECK (chunk_count > 0),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`)
    await q('CREATE INDEX attachments_item_idx ON attachments (item_id, created_at)')
    await q(`CREATE TABLE attachment_chunks (
      attachment_id UUID NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL CHECK (seq >= 0),
      bytes BYTEA NOT NULL,
      PRIMARY KEY (attachment_id, seq)
    )`)
    await q('ALTER TABLE attachment_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL')
  },
  async down(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('DROP TABLE IF EXISTS attachment_chunks')
    await q('DROP TABLE IF EXISTS attachments')
  },
}
