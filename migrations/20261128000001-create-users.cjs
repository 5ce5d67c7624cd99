'use strict'

/** Users with their KDF parameters and wrapped keys (SPEC section 5). No plaintext secret is stored. */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('users', {
      id: { type: Sequelize.UUID, primaryKey: true, allowNull: false },
      name: { type: Sequelize.STRING(100), allowNull: false },
      email: { type: Sequelize.STRING(254), allowNull: false },
      verified_at: { type: Sequelize.DATE, allowNull: true },
      kdf_salt: { type: Sequelize.BLOB, allowNull: false },
      kdf_log_n: { type: Sequelize.INTEGER, allowNull: false },
      kdf_r: { type: Sequelize.INTEGER, allowNull: false },
      kdf_p: { type: Sequelize.INTEGER, allowNull: false },
      auth_hash: { type: Sequelize.BLOB, allowNull: false },
      vault_key_by_password: { type: Sequelize.BLOB, allowNull: false },
      recovery_salt: { type: Sequelize.BLOB, allowNull: false },
      vault_key_by_recovery: { type: Sequelize.BLOB, allowNull: false },
      public_key: { type: Sequelize.BLOB, allowNull: false },
      private_key_wrapped: { type: Sequelize.BLOB, allowNull: false },
      created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
      updated_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
    })
    // Case-insensitive uniqueness; the app also stores emails lower-cased.
    await queryInterface.sequelize.query('CREATE UNIQUE INDEX users_email_lower_unique ON users (lower(email))')
  },
  async down(queryInterface) {
    await queryInterface.dropTable('users')
  },
}
