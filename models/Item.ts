import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

export class Item extends Model<InferAttributes<Item>, InferCreationAttributes<Item>> {
  declare id: string
  declare folderId: string
  declare ciphertext: Buffer
  /** Not null while the item's password waits for its score (ADR 024): when a scorer may take it. */
  declare scoreDueAt: CreationOptional<Date | null>
  /** Null for a live item; when it was moved to the trash (purged 30 days later). */
  declare deletedAt: CreationOptional<Date | null>
  /** The folder it was trashed from: a different folderId means that folder is gone (moved to Personal). */
  declare deletedFromFolderId: CreationOptional<string | null>
  declare createdAt: CreationOptional<Date>
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return Item.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        folderId: { type: DataTypes.UUID, allowNull: false },
        ciphertext: { type: DataTypes.BLOB, allowNull: false },
        scoreDueAt: { type: DataTypes.DATE, allowNull: true },
        deletedAt: { type: DataTypes.DATE, allowNull: true },
        deletedFromFolderId: { type: DataTypes.UUID, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'items', underscored: true },
    )
  }
}
