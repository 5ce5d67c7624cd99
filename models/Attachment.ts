import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/**
 * A file attached to an item (issue 23, ADR 033): its own random key sealed under the folder key
 * (bound to this id, the item id and the folder id), its name under that file key, its size and
 * how many chunks hold it (AttachmentChunk). Goes with its item (ON DELETE CASCADE).
 */
export class Attachment extends Model<InferAttributes<Attachment>, InferCreationAttributes<Attachment>> {
  declare id: string
  declare itemId: string
  declare wrappedKey: Buffer
  declare nameCiphertext: Buffer
  /** Plaintext bytes; BIGINT, so the driver gives a string. */
  declare size: number | string
  declare chunkCount: number
  declare createdAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return Attachment.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        itemId: { type: DataTypes.UUID, allowNull: false },
        wrappedKey: { type: DataTypes.BLOB, allowNull: false },
        nameCiphertext: { type: DataTypes.BLOB, allowNull: false },
        size: { type: DataTypes.BIGINT, allowNull: false },
        chunkCount: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'attachments', underscored: true, updatedAt: false },
    )
  }
}
