import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize'

export const THEMES = ['system', 'light', 'dark'] as const
export type Theme = (typeof THEMES)[number]

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: string
  declare name: string
  declare email: string
  declare verifiedAt: Date | null
  /** A new address waiting for its verification link; `email` stays in force until then. */
  declare pendingEmail: CreationOptional<string | null>
  declare theme: CreationOptional<Theme>
  /** IANA name (shared/formatDate.ts isTimeZone); null until the browser or the user says. */
  declare timeZone: CreationOptional<string | null>
  declare kdfSalt: Buffer
  declare kdfLogN: number
  declare kdfR: number
  declare kdfP: number
  declare authHash: Buffer
  declare vaultKeyByPassword: Buffer
  declare recoverySalt: Buffer
  declare vaultKeyByRecovery: Buffer
  declare publicKey: Buffer
  declare privateKeyWrapped: Buffer
  /** The TOTP secret sealed under the vault key (crypto.totpSecretAad); null: two-factor is off. */
  declare totpSecretSealed: CreationOptional<Buffer | null>
  /** The last accepted TOTP time step: a code of this step or an earlier one is refused (replay). */
  declare totpLastStep: CreationOptional<number | null>
  declare totpEnabledAt: CreationOptional<Date | null>
  /** The admin role (issue 24): ADMIN_EMAILS at start, or `npm run admin`. */
  declare isAdmin: CreationOptional<boolean>
  /** Set by an administrator: the account cannot log in, and its sessions ended when it was set. */
  declare disabledAt: CreationOptional<Date | null>
  declare createdAt: CreationOptional<Date>
  declare updatedAt: CreationOptional<Date>

  static initModel(sequelize: Sequelize) {
    return User.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
        name: { type: DataTypes.STRING(100), allowNull: false },
        email: { type: DataTypes.STRING(254), allowNull: false },
        verifiedAt: { type: DataTypes.DATE, allowNull: true },
        pendingEmail: { type: DataTypes.STRING(254), allowNull: true, defaultValue: null },
        theme: { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'system' },
        timeZone: { type: DataTypes.STRING(64), allowNull: true },
        kdfSalt: { type: DataTypes.BLOB, allowNull: false },
        kdfLogN: { type: DataTypes.INTEGER, allowNull: false },
        kdfR: { type: DataTypes.INTEGER, allowNull: false },
        kdfP: { type: DataTypes.INTEGER, allowNull: false },
        authHash: { type: DataTypes.BLOB, allowNull: false },
        vaultKeyByPassword: { type: DataTypes.BLOB, allowNull: false },
        recoverySalt: { type: DataTypes.BLOB, allowNull: false },
        vaultKeyByRecovery: { type: DataTypes.BLOB, allowNull: false },
        publicKey: { type: DataTypes.BLOB, allowNull: false },
        privateKeyWrapped: { type: DataTypes.BLOB, allowNull: false },
        totpSecretSealed: { type: DataTypes.BLOB, allowNull: true, defaultValue: null },
        totpLastStep: { type: DataTypes.INTEGER, allowNull: true, defaultValue: null },
        totpEnabledAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        isAdmin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        disabledAt: { type: DataTypes.DATE, allowNull: true, defaultValue: null },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'users', underscored: true },
    )
  }
}
