import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

export class Device extends Model<InferAttributes<Device>, InferCreationAttributes<Device>> {
  declare id: CreationOptional<string>
  declare userId: string
  declare name: string
  declare ip: string
  declare createdAt: CreationOptional<Date>
  declare lastSeenAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return Device.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        userId: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: false },
        ip: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
        lastSeenAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      },
      { sequelize, tableName: 'devices', underscored: true, updatedAt: false },
    )
  }
}
