'use strict'

/**
 * Imported items are scored after the import (ADR 024, issue 20.3). items.score_due_at says, in
 * clear, that an item's zxcvbn score is not in its ciphertext yet, and when a scorer may take it:
 *
 * - NULL: nothing to do (every item written before this migration; every form save).
 * - a time: the item waits for its score. A scorer claims a batch atomically by moving the time
 *   into the future (a lease) with `UPDATE ... WHERE score_due_at <= now() ... FOR UPDATE SKIP
 *   LOCKED`, so two processes never take the same item; the score is written with
 *   `WHERE score_due_at IS NOT NULL AND ciphertext = <what was scored>`, then set to NULL. A
 *   scorer that died leaves the lease to run out: the next one takes the item again.
 *
 * It reveals only that an item was imported and not yet scored: nothing about its password.
 * The partial index keeps "which items of these folders wait" cheap while none do.
 */
module.exports = {
  async up(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('ALTER TABLE items ADD COLUMN score_due_at TIMESTAMPTZ NULL')
    await q('CREATE INDEX items_score_due_idx ON items (folder_id, score_due_at) WHERE score_due_at IS NOT NULL')
  },
  async down(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('DROP INDEX IF EXISTS items_score_due_idx')
    await q('ALTER TABLE items DROP COLUMN IF EXISTS score_due_at')
  },
}
