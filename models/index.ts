// Initialises every model on one Sequelize instance and wires associations. No business rules here.
import type { Sequelize } from 'sequelize'
import { User } from './User.js'
import { Device } from './Device.js'
import { Folder } from './Folder.js'
import { FolderMembership } from './FolderMembership.js'
import { Item } from './Item.js'
import { ItemFavourite } from './ItemFavourite.js'
import { ItemVersion } from './ItemVersion.js'
import { Attachment } from './Attachment.js'
import { AttachmentChunk } from './AttachmentChunk.js'
import { SignupInvitation } from './SignupInvitation.js'
import { AdminAction } from './AdminAction.js'
import { InstanceSettings } from './InstanceSettings.js'
import { ActivityEvent } from './ActivityEvent.js'
import { ExposureReport } from './ExposureReport.js'

export function initModels(sequelize: Sequelize) {
  User.initModel(sequelize)
  Device.initModel(sequelize)
  Folder.initModel(sequelize)
  FolderMembership.initModel(sequelize)
  Item.initModel(sequelize)
  ItemFavourite.initModel(sequelize)
  ItemVersion.initModel(sequelize)
  Attachment.initModel(sequelize)
  AttachmentChunk.initModel(sequelize)
  SignupInvitation.initModel(sequelize)
  AdminAction.initModel(sequelize)
  InstanceSettings.initModel(sequelize)
  ActivityEvent.initModel(sequelize)
  ExposureReport.initModel(sequelize)
  User.hasMany(Device, { foreignKey: 'userId' })
  Device.belongsTo(User, { foreignKey: 'userId' })
  Folder.belongsTo(User, { as: 'owner', foreignKey: 'ownerId' })
  Folder.hasMany(FolderMembership, { as: 'memberships', foreignKey: 'folderId' })
  FolderMembership.belongsTo(Folder, { foreignKey: 'folderId' })
  FolderMembership.belongsTo(User, { foreignKey: 'userId' })
  Folder.hasMany(Item, { foreignKey: 'folderId' })
  Item.belongsTo(Folder, { foreignKey: 'folderId' })
  SignupInvitation.belongsTo(User, { as: 'inviter', foreignKey: 'invitedBy' })
  return { User, Device, Folder, FolderMembership, Item, ItemFavourite, ItemVersion, Attachment, AttachmentChunk, SignupInvitation, AdminAction, InstanceSettings, ActivityEvent, ExposureReport }
}

export type Models = ReturnType<typeof initModels>
export { User, Device, Folder, FolderMembership, Item, ItemFavourite, ItemVersion, Attachment, AttachmentChunk, SignupInvitation, AdminAction, InstanceSettings, ActivityEvent, ExposureReport }
