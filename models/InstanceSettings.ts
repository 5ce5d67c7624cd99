import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

export const SIGNUP_POLICIES = ['open', 'invite', 'closed'] as const
export type SignupPolicy = (typeof SIGNUP_POLICIES)[number]

/**
 * What an administrator changed at runtime (one row, id 1): read by every replica, so a change is
 * in force everywhere at once. NULL: the environment's default (SIGNUP_POLICY, SIGNUP_DOMAINS).
 */
export class InstanceSettings extends Model<InferAttributes<InstanceSettings>, InferCreationAttributes<InstanceSettings>> {
  declare id: number
  declare signupPolicy: SignupPolicy | null
  /** Lowercase domains, one per line. */
  declare signupDomains: string | null
  declare updatedBy: string | null
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return InstanceSettings.init(
      {
        id: { type: DataTypes.SMALLINT, primaryKey: true },
        signupPolicy: { type: DataTypes.STRING(8), allowNull: true },
        signupDomains: { type: DataTypes.TEXT, allowNull: true },
        updatedBy: { type: DataTypes.UUID, allowNull: true },
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'instance_settings', underscored: true, createdAt: false },
    )
  }
}
