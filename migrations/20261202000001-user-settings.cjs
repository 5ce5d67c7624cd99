'use strict'

/**
 * Settings of a user: an email address waiting for its verification link (the current one stays
 * in force until then) and the chosen appearance (light, dark or follow the system).
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('users', 'pending_email', { type: Sequelize.STRING(254), allowNull: true })
    await queryInterface.addColumn('users', 'theme', { type: Sequelize.STRING(8), allowNull: false, defaultValue: 'system' })
    await queryInterface.sequelize.query(
      "ALTER TABLE users ADD CONSTRAINT users_theme_check CHECK (theme IN ('system', 'light', 'dark'))",
    )
  },
  async down(queryInterface) {
    await queryInterface.removeColumn('users', 'theme')
    await queryInterface.removeColumn('users', 'pending_email')
  },
}
