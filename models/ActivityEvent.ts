import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/**
 * One event in one reader's activity log (issue 25). Whose log, which folder, what kind and when are
 * in clear for the queries; the details are sealed to the reader's public key (crypto.activityAad).
 * A counter row (bucket set) stands for `count` attempts of a flood in the window starting at bucket.
 * Written and read with SQL by server/services/activity.ts; the model is for tests and tools.
 */
export class ActivityEvent extends Model<InferAttributes<ActivityEvent>, InferCreationAttributes<ActivityEvent>> {
  declare id: CreationOptional<string>
  declare readerId: string
  declare folderId: string | null
  /** An ActivityKind (shared/activity.ts); text, since a row may outlive a kind. */
  declare kind: string
  declare at: CreationOptional<Date>
  declare count: CreationOptional<number>
  declare bucket: CreationOptional<Date | null>
  declare sealed: Buffer

  static initModel(sequelize: Sequelize) {
    return ActivityEvent.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        readerId: { type: DataTypes.UUID, allowNull: false },
        folderId: { type: DataTypes.UUID, allowNull: true },
        kind: { type: DataTypes.STRING(40), allowNull: false },
        at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        bucket: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        sealed: { type: DataTypes.BLOB, allowNull: false },
      },
      { sequelize, tableName: 'activity_events', underscored: true, timestamps: false },
    )
  }
}
