'use strict'

/** Folders. Each user has exactly one built-in "Personal" folder (is_personal). */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('folders', {
      id: { type: Sequelize.UUID, primaryKey: true, allowNull: false },
      owner_id: {
        type: Sequelize.UUID,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: Sequelize.STRING(64), allowNull: false },
      is_personal: { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
      updated_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
    })
    await queryInterface.addIndex('folders', ['owner_id'], { name: 'folders_owner' })
    await queryInterface.sequelize.query(
      'CREATE UNIQUE INDEX folders_one_personal_per_owner ON folders (owner_id) WHERE is_personal',
    )
  },
  async down(queryInterface) {
    await queryInterface.dropTable('folders')
  },
}
