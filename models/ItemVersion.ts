import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/**
 * An earlier version of an item (issue 21): its ciphertext under the folder key, bound to this
 * row's id, the item id and the folder id (crypto.itemVersionAad). The last 20 per item are kept.
 */
export class ItemVersion extends Model<InferAttributes<ItemVersion>, InferCreationAttributes<ItemVersion>> {
  declare id: string
  declare itemId: string
  declare folderId: string
  declare ciphertext: Buffer
  declare createdAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return ItemVersion.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        itemId: { type: DataTypes.UUID, allowNull: false },
        folderId: { type: DataTypes.UUID, allowNull: false },
        ciphertext: { type: DataTypes.BLOB, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'item_versions', underscored: true, updatedAt: false },
    )
  }
}
