import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/** One thing an administrator did (issue 24): who, what, to whom, when, from where. Append only. */
export class AdminAction extends Model<InferAttributes<AdminAction>, InferCreationAttributes<AdminAction>> {
  declare id: CreationOptional<string>
  declare actorId: string | null
  declare actorEmail: string
  declare action: string
  declare targetEmail: string | null
  declare detail: string | null
  declare ip: string | null
  declare createdAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return AdminAction.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        actorId: { type: DataTypes.UUID, allowNull: true },
        actorEmail: { type: DataTypes.STRING(254), allowNull: false },
        action: { type: DataTypes.STRING(40), allowNull: false },
        targetEmail: { type: DataTypes.STRING(254), allowNull: true },
        detail: { type: DataTypes.STRING(500), allowNull: true },
        ip: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'admin_actions', underscored: true, updatedAt: false },
    )
  }
}
