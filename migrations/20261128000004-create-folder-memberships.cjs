'use strict'

/**
 * Who can open a folder: every member (the owner included) holds the folder key sealed to their
 * own X25519 public key. Built for sharing: pending invitations and view/edit permissions.
 */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('folder_memberships', {
      folder_id: {
        type: Sequelize.UUID,
        allowNull: false,
        primaryKey: true,
        references: { model: 'folders', key: 'id' },
        onDelete: 'CASCADE',
      },
      user_id: {
        type: Sequelize.UUID,
        allowNull: false,
        primaryKey: true,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      role: { type: Sequelize.ENUM('owner', 'member'), allowNull: false },
      permission: { type: Sequelize.ENUM('view', 'edit'), allowNull: false },
      status: { type: Sequelize.ENUM('pending', 'accepted'), allowNull: false },
      sealed_key: { type: Sequelize.BLOB, allowNull: false },
      invited_at: { type: Sequelize.DATE, allowNull: true },
      accepted_at: { type: Sequelize.DATE, allowNull: true },
      created_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
      updated_at: { type: Sequelize.DATE, allowNull: false, defaultValue: Sequelize.fn('now') },
    })
    // The dashboard starts from "my accepted memberships".
    await queryInterface.addIndex('folder_memberships', ['user_id', 'status'], { name: 'folder_memberships_user_status' })
  },
  async down(queryInterface) {
    await queryInterface.dropTable('folder_memberships')
    await queryInterface.sequelize.query('DROP TYPE IF EXISTS "enum_folder_memberships_role"')
    await queryInterface.sequelize.query('DROP TYPE IF EXISTS "enum_folder_memberships_permission"')
    await queryInterface.sequelize.query('DROP TYPE IF EXISTS "enum_folder_memberships_status"')
  },
}
