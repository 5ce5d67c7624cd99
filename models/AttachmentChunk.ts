import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/** One sealed piece (64 KiB of plaintext) of an attachment, bound to its attachment, index and whether it is the last. */
export class AttachmentChunk extends Model<InferAttributes<AttachmentChunk>, InferCreationAttributes<AttachmentChunk>> {
  declare attachmentId: string
  declare seq: number
  declare bytes: Buffer

  static initModel(sequelize: Sequelize) {
    return AttachmentChunk.init(
      {
        attachmentId: { type: DataTypes.UUID, primaryKey: true },
        seq: { type: DataTypes.INTEGER, primaryKey: true },
        bytes: { type: DataTypes.BLOB, allowNull: false },
      },
      { sequelize, tableName: 'attachment_chunks', underscored: true, timestamps: false },
    )
  }
}
