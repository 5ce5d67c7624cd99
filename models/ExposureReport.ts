import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/**
 * What a member who left a shared folder could read, for the folder's owner (issue 25, ADR 038).
 * The member's name and email are sealed to the owner (crypto.exposureMemberAad). Written and read
 * with SQL by server/services/exposure.ts; the model is for tests and tools.
 */
export class ExposureReport extends Model<InferAttributes<ExposureReport>, InferCreationAttributes<ExposureReport>> {
  declare id: string
  declare folderId: string
  declare ownerId: string
  declare memberId: string | null
  declare memberSealed: Buffer
  declare how: 'left' | 'removed'
  declare departedAt: CreationOptional<Date>
  declare itemIds: CreationOptional<string[]>
  declare dismissedItemIds: CreationOptional<string[]>
  declare closedAt: CreationOptional<Date | null>

  static initModel(sequelize: Sequelize) {
    return ExposureReport.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        folderId: { type: DataTypes.UUID, allowNull: false },
        ownerId: { type: DataTypes.UUID, allowNull: false },
        memberId: { type: DataTypes.UUID, allowNull: true },
        memberSealed: { type: DataTypes.BLOB, allowNull: false },
        how: { type: DataTypes.STRING(16), allowNull: false },
        departedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        itemIds: { type: DataTypes.ARRAY(DataTypes.UUID), allowNull: false, defaultValue: [] },
        dismissedItemIds: { type: DataTypes.ARRAY(DataTypes.UUID), allowNull: false, defaultValue: [] },
        closedAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
      },
      { sequelize, tableName: 'exposure_reports', underscored: true, timestamps: false },
    )
  }
}
