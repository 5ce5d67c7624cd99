'use strict'

/**
 * The viewer's time zone (an IANA name such as "Europe/Paris"): every date a page shows is written
 * in it. Detected in the browser at login, or chosen in settings; NULL until then (pages use UTC).
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('users', 'time_zone', { type: Sequelize.STRING(64), allowNull: true })
  },
  async down(queryInterface) {
    await queryInterface.removeColumn('users', 'time_zone')
  },
}
