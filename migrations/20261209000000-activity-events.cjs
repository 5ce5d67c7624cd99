'use strict'

/**
 * The security activity log (issue 25). One row per event and reader: a folder event its owner and
 * its actor both see is two rows. Only what PostgreSQL must query is in clear (whose log, which
 * folder, what kind, when); the details (item names, IPs, devices, who) are `sealed` to the
 * reader's X25519 public key, so the server records an event without anyone's vault key and a
 * database dump shows no detail.
 *
 * - count, bucket: a flood (a burst of wrong passwords) keeps a few rows per window, then one
 *   counter row per reader, kind and window: bucket is that window's start and count the attempts
 *   it stands for. An ordinary row has bucket NULL and count 1.
 * - at: the event's time; a counter row's latest attempt. Rows older than the retention (180
 *   days by default) are pruned on it.
 */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      const q = (sql) => queryInterface.sequelize.query(sql, { transaction })
      await q(`CREATE TABLE activity_events (
        id BIGSERIAL PRIMARY KEY,
        reader_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        folder_id UUID NULL REFERENCES folders (id) ON DELETE SET NULL,
        kind VARCHAR(40) NOT NULL,
        at TIMESTAMPTZ NOT NULL DEFAULT now(),
        count INTEGER NOT NULL DEFAULT 1,
        bucket TIMESTAMPTZ NULL,
        sealed BYTEA NOT NULL
      )`)
      await q('CREATE INDEX activity_events_reader_idx ON activity_events (reader_id, at DESC)')
      await q('CREATE INDEX activity_events_reader_kind_idx ON activity_events (reader_id, kind, at DESC)')
      await q('CREATE INDEX activity_events_folder_idx ON activity_events (folder_id, at DESC) WHERE folder_id IS NOT NULL')
      await q('CREATE INDEX activity_events_at_idx ON activity_events (at)')
      // The conflict target of the counter rows' upsert (ON CONFLICT ... WHERE bucket IS NOT NULL).
      await q('CREATE UNIQUE INDEX activity_events_counter_idx ON activity_events (reader_id, kind, bucket) WHERE bucket IS NOT NULL')
    })
  },
  async down(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query('DROP TABLE IF EXISTS activity_events', { transaction })
    })
  },
}
