import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'
import type { Permission } from '../shared/contract.js'

export type MemberRole = 'owner' | 'member'
export type MemberStatus = 'pending' | 'accepted'

export class FolderMembership extends Model<InferAttributes<FolderMembership>, InferCreationAttributes<FolderMembership>> {
  declare folderId: string
  declare userId: string
  declare role: MemberRole
  declare permission: Permission
  declare status: MemberStatus
  declare sealedKey: Buffer
  declare invitedAt: Date | null
  declare acceptedAt: Date | null
  declare createdAt: CreationOptional<Date>
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return FolderMembership.init(
      {
        folderId: { type: DataTypes.UUID, primaryKey: true },
        userId: { type: DataTypes.UUID, primaryKey: true },
        role: { type: DataTypes.ENUM('owner', 'member'), allowNull: false },
        permission: { type: DataTypes.ENUM('view', 'edit'), allowNull: false },
        status: { type: DataTypes.ENUM('pending', 'accepted'), allowNull: false },
        sealedKey: { type: DataTypes.BLOB, allowNull: false },
        invitedAt: { type: DataTypes.DATE, allowNull: true },
        acceptedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'folder_memberships', underscored: true },
    )
  }
}
