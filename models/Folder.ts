import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

export class Folder extends Model<InferAttributes<Folder>, InferCreationAttributes<Folder>> {
  declare id: string
  declare ownerId: string
  declare name: string
  declare isPersonal: CreationOptional<boolean>
  /** The encrypted list index (ADR 020): written only by server/services/listIndex.ts. */
  declare listIndex: CreationOptional<Buffer | null>
  /** The items digest the index describes (in clear; the reader trusts the copy inside the ciphertext). */
  declare listIndexDigest: CreationOptional<string | null>
  declare createdAt: CreationOptional<Date>
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return Folder.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        ownerId: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(64), allowNull: false },
        isPersonal: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        listIndex: { type: DataTypes.BLOB, allowNull: true },
        listIndexDigest: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'folders', underscored: true },
    )
  }
}
