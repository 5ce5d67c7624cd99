'use strict'

/** Items: one AES-256-GCM ciphertext of all their fields, bound to item id and folder id. */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('items', {
      id: { type: Sequelize.UUID, primaryKey: true, allowNull: false },
      folder_id: {
        type: Sequelize.UUID,
        allowNull: false,
        references: { model: 'folders', key: 'id' },
        onDelete: 'CASCADE',
      },
      ciphertext: { type: Sequelize.BLOB, allowNull: false },
      created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
      updated_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
    })
    await queryInterface.addIndex('items', ['folder_id'], { name: 'items_folder' })
  },
  async down(queryInterface) {
    await queryInterface.dropTable('items')
  },
}
