import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

/**
 * An administrator's invitation to create an account (issue 24, ADR 036): single use, valid until
 * `expiresAt`. Only the SHA-256 of the link's token is kept; a resend issues a new token.
 */
export class SignupInvitation extends Model<InferAttributes<SignupInvitation>, InferCreationAttributes<SignupInvitation>> {
  declare id: string
  declare email: string
  declare tokenHash: Buffer
  declare invitedBy: string | null
  declare expiresAt: Date
  declare sentAt: Date
  declare usedAt: CreationOptional<Date | null>
  declare usedBy: CreationOptional<string | null>
  declare revokedAt: CreationOptional<Date | null>
  declare createdAt: CreationOptional<Date>
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return SignupInvitation.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        email: { type: DataTypes.STRING(254), allowNull: false },
        tokenHash: { type: DataTypes.BLOB, allowNull: false },
        invitedBy: { type: DataTypes.UUID, allowNull: true },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        sentAt: { type: DataTypes.DATE, allowNull: false },
        usedAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        usedBy: { type: DataTypes.UUID, allowNull: true, defaultValue: null },
        revokedAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'signup_invitations', underscored: true },
    )
  }
}
