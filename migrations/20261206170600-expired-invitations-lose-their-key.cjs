'use strict'

/**
 * Expired invitations (ADR 011, security review issue 17.6). An invitation seals the folder key to
 * the invitee; once it has expired, that copy must go and the folder key must change.
 *
 * - folder_memberships.sealed_key may be NULL, but only on a pending row: an expired invitation
 *   whose copy of the key was removed. The row stays so the owner sees "Invitation expired" and can
 *   cancel it or invite again. An accepted row always holds a key (CHECK).
 * - folders.key_rotation_due_at: someone's copy of the key was removed (by the background sweep,
 *   which holds no key and so cannot re-encrypt) and the folder key has not changed since. The next
 *   member to open the folder page or change its members re-keys it, and clears this.
 * - A partial index for the sweep: pending invitations that still hold a key, by age.
 */
module.exports = {
  async up(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('ALTER TABLE folder_memberships ALTER COLUMN sealed_key DROP NOT NULL')
    await q(
      "ALTER TABLE folder_memberships ADD CONSTRAINT folder_memberships_key_unless_pending CHECK (sealed_key IS NOT NULL OR status = 'pending')",
    )
    await q('ALTER TABLE folders ADD COLUMN key_rotation_due_at TIMESTAMP WITH TIME ZONE NULL')
    await q(
      "CREATE INDEX folder_memberships_pending_with_key ON folder_memberships (invited_at) WHERE status = 'pending' AND sealed_key IS NOT NULL",
    )
  },
  async down(queryInterface) {
    const q = (sql) => queryInterface.sequelize.query(sql)
    await q('DROP INDEX IF EXISTS folder_memberships_pending_with_key')
    await q('ALTER TABLE folders DROP COLUMN IF EXISTS key_rotation_due_at')
    await q('ALTER TABLE folder_memberships DROP CONSTRAINT IF EXISTS folder_memberships_key_unless_pending')
    // Rows without a key are expired invitations only: before this migration they did not exist.
    await q('DELETE FROM folder_memberships WHERE sealed_key IS NULL')
    await q('ALTER TABLE folder_memberships ALTER COLUMN sealed_key SET NOT NULL')
  },
}
