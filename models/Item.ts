import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

export class Item extends Model<InferAttributes<Item>, InferCreationAttributes<Item>> {
  declare id: string
  declare folderId: string
  declare ciphertext: Buffer
  /** Not null while the item's password waits for its score (ADR 024): when a scorer may take it. */
  declare scoreDueAt: CreationOptional<Date | null>
  declare createdAt: CreationOptional<Date>
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return Item.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        folderId: { type: DataTypes.UUID, allowNull: false },
        ciphertext: { type: DataTypes.BLOB, allowNull: false },
        scoreDueAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'items', underscored: true },
    )
  }
}
