'use strict'

/**
 * Two-factor authentication (TOTP, SPEC section 4): the secret sealed under the user's vault key
 * (never in clear), and the last accepted time step, so each code is accepted once.
 * A 30-second step fits an INTEGER until the year 4000.
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('users', 'totp_secret_sealed', { type: Sequelize.BLOB, allowNull: true })
    await queryInterface.addColumn('users', 'totp_last_step', { type: Sequelize.INTEGER, allowNull: true })
    await queryInterface.addColumn('users', 'totp_enabled_at', { type: Sequelize.DATE, allowNull: true })
  },
  async down(queryInterface) {
    await queryInterface.removeColumn('users', 'totp_enabled_at')
    await queryInterface.removeColumn('users', 'totp_last_step')
    await queryInterface.removeColumn('users', 'totp_secret_sealed')
  },
}
