'use strict'

/** A device is one login: its name comes from the User-Agent. */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('devices', {
      id: { type: Sequelize.UUID, primaryKey: true, allowNull: false },
      user_id: {
        type: Sequelize.UUID,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: Sequelize.STRING(100), allowNull: false },
      ip: { type: Sequelize.STRING(64), allowNull: false },
      created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
      last_seen_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
    })
    await queryInterface.addIndex('devices', ['user_id', 'last_seen_at'], { name: 'devices_user_last_seen' })
  },
  async down(queryInterface) {
    await queryInterface.dropTable('devices')
  },
}
