import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/** A user's star on an item (issue 21): per user, so starring a shared item stars it for that person only. */
export class ItemFavourite extends Model<InferAttributes<ItemFavourite>, InferCreationAttributes<ItemFavourite>> {
  declare userId: string
  declare itemId: string
  declare createdAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return ItemFavourite.init(
      {
        userId: { type: DataTypes.UUID, primaryKey: true },
        itemId: { type: DataTypes.UUID, primaryKey: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'item_favourites', underscored: true, updatedAt: false },
    )
  }
}
