'use strict'

/**
 * What a departing member saw (issue 25, ADR 038): one row per member who leaves a shared folder or
 * is removed from it, for the folder's owner. Written in the departure's transaction, by whoever
 * acts (the member leaving holds no key of the owner's), so nothing in it needs the owner's key:
 *
 * - member_sealed: the member's name and email sealed to the owner's X25519 public key
 *   (crypto.exposureMemberAad), never in clear: a dump does not say who was in which folder.
 * - item_ids: the folder's live items at the departure (what the member could read).
 * - dismissed_item_ids: items the owner ticked off by hand; a changed password ticks itself when
 *   read (the owner's session decrypts the item's passwordChangedAt).
 * - closed_at: the owner closed the report.
 *
 * member_id is kept for matching the activity log's actorId; it becomes NULL when that account is
 * deleted. The report goes with its folder.
 */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      const q = (sql) => queryInterface.sequelize.query(sql, { transaction })
      await q(`CREATE TABLE exposure_reports (
        id UUID PRIMARY KEY,
        folder_id UUID NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
        owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        member_id UUID NULL REFERENCES users (id) ON DELETE SET NULL,
        member_sealed BYTEA NOT NULL,
        how VARCHAR(16) NOT NULL CHECK (how IN ('left', 'removed')),
        departed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        item_ids UUID[] NOT NULL DEFAULT '{}',
        dismissed_item_ids UUID[] NOT NULL DEFAULT '{}',
        closed_at TIMESTAMPTZ NULL
      )`)
      // The folder page's one query: an owner's open reports of one folder.
      await q('CREATE INDEX exposure_reports_open_idx ON exposure_reports (folder_id, owner_id, departed_at) WHERE closed_at IS NULL')
      await q('CREATE INDEX exposure_reports_owner_idx ON exposure_reports (owner_id)')
      await q('CREATE INDEX exposure_reports_member_idx ON exposure_reports (member_id) WHERE member_id IS NOT NULL')
    })
  },
  async down(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query('DROP TABLE IF EXISTS exposure_reports', { transaction })
    })
  },
}
