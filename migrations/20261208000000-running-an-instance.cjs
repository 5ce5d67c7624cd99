'use strict'

/**
 * Running an instance (issue 24, ADR 036): the admin role and disabled accounts on users; the
 * sign-up policy an administrator sets at runtime (one row: every replica reads the same); sign-up
 * invitations (only a hash of each link's token is kept); and the log of administrators' actions.
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.addColumn('users', 'is_admin', { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false }, { transaction })
      await queryInterface.addColumn('users', 'disabled_at', { type: Sequelize.DATE, allowNull: true }, { transaction })

      // One row (id = 1). NULL in a column: the environment's default applies (SIGNUP_POLICY, SIGNUP_DOMAINS).
      await queryInterface.createTable(
        'instance_settings',
        {
          id: { type: Sequelize.SMALLINT, primaryKey: true },
          signup_policy: { type: Sequelize.STRING(8), allowNull: true },
          signup_domains: { type: Sequelize.TEXT, allowNull: true },
          updated_by: { type: Sequelize.UUID, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
          updated_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
        },
        { transaction },
      )
      await queryInterface.sequelize.query(
        `ALTER TABLE instance_settings ADD CONSTRAINT instance_settings_one_row CHECK (id = 1),
         ADD CONSTRAINT instance_settings_policy CHECK (signup_policy IN ('open', 'invite', 'closed'))`,
        { transaction },
      )

      await queryInterface.createTable(
        'signup_invitations',
        {
          id: { type: Sequelize.UUID, primaryKey: true },
          email: { type: Sequelize.STRING(254), allowNull: false },
          // SHA-256 of the link's token: a database dump holds no usable link.
          token_hash: { type: Sequelize.BLOB, allowNull: false, unique: true },
          invited_by: { type: Sequelize.UUID, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
          expires_at: { type: Sequelize.DATE, allowNull: false },
          sent_at: { type: Sequelize.DATE, allowNull: false },
          used_at: { type: Sequelize.DATE, allowNull: true },
          used_by: { type: Sequelize.UUID, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
          revoked_at: { type: Sequelize.DATE, allowNull: true },
          created_at: { type: Sequelize.DATE, allowNull: false },
          updated_at: { type: Sequelize.DATE, allowNull: false },
        },
        { transaction },
      )
      await queryInterface.addIndex('signup_invitations', ['created_at'], { transaction })

      await queryInterface.createTable(
        'admin_actions',
        {
          id: { type: Sequelize.BIGINT, primaryKey: true, autoIncrement: true },
          // Names and emails are copied: the log still says who and to whom after an account is deleted.
          actor_id: { type: Sequelize.UUID, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
          actor_email: { type: Sequelize.STRING(254), allowNull: false },
          action: { type: Sequelize.STRING(40), allowNull: false },
          target_email: { type: Sequelize.STRING(254), allowNull: true },
          detail: { type: Sequelize.STRING(500), allowNull: true },
          ip: { type: Sequelize.STRING(64), allowNull: true },
          created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
        },
        { transaction },
      )
      await queryInterface.addIndex('admin_actions', ['created_at'], { transaction })
    })
  },
  async down(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.dropTable('admin_actions', { transaction })
      await queryInterface.dropTable('signup_invitations', { transaction })
      await queryInterface.dropTable('instance_settings', { transaction })
      await queryInterface.removeColumn('users', 'disabled_at', { transaction })
      await queryInterface.removeColumn('users', 'is_admin', { transaction })
    })
  },
}
