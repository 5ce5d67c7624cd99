// The text of every message the app sends, in one place. Plain text: no tracking, no HTML.
import type { MailMessage } from './mail.js'

interface Recipient {
  name: string
  email: string
}

export function verificationMessage(user: Recipient, link: string): MailMessage {
  return {
    to: user.email,
    subject: 'Verify your NucleusID email',
    text: `Hello ${user.name},\n\nConfirm this address to finish setting up NucleusID:\n\n${link}\n\nThe link is valid for 24 hours. If you did not create an account, ignore this message.\n`,
    link,
  }
}

export function loginNoticeMessage(user: Recipient, device: { name: string; ip: string }, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'New login to NucleusID',
    text: `Hello ${user.name},\n\nYour NucleusID account was just accessed from ${device.name} (IP ${device.ip}).\n\nIf this was not you, reset your master password with your recovery code at ${appOrigin}/recover: that also logs out every other device.\n`,
  }
}

export function twoFactorFailedMessage(user: Recipient, device: { name: string; ip: string }, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'Someone entered your NucleusID master password',
    text: `Hello ${user.name},\n\nYour master password was just entered correctly from ${device.name} (IP ${device.ip}), but the two-factor code after it was wrong, so nobody was logged in.\n\nIf this was not you, someone knows your master password: change it at once in your settings at ${appOrigin}/dashboard/settings/security (that logs out every other device). We send this at most once every 15 minutes.\n`,
  }
}

export function wrongPasswordsMessage(user: Recipient, attempts: number, device: { name: string; ip: string }, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'Several wrong master passwords for your NucleusID account',
    text: `Hello ${user.name},\n\nSomeone has typed a wrong master password for your NucleusID account ${attempts} times in the last few minutes, the latest from ${device.name} (IP ${device.ip}). Nobody was logged in.\n\nIf this was you, there is nothing to do. If not, your account's activity at ${appOrigin}/dashboard/activity lists every attempt; a long, unique master password and two-factor authentication keep guessers out. We send this at most once every 15 minutes.\n`,
  }
}

export function invitationMessage(
  invitee: Recipient,
  invite: { ownerName: string; folderName: string; permission: 'view' | 'edit' },
  appOrigin: string,
): MailMessage {
  const link = `${appOrigin}/dashboard/shares`
  const rights = invite.permission === 'edit' ? 'view and edit' : 'view'
  return {
    to: invitee.email,
    subject: `${invite.ownerName} shared a folder with you on NucleusID`,
    text: `Hello ${invitee.name},\n\n${invite.ownerName} invited you to the folder “${invite.folderName}”: you will be able to ${rights} its items.\n\nAccept or decline the invitation here (it expires in 7 days):\n\n${link}\n`,
    link,
  }
}

export function recoveryNoticeMessage(user: Recipient, opts: { twoFactorDisabled?: boolean } = {}): MailMessage {
  const twoFactor = opts.twoFactorDisabled ? ' Two-factor authentication was turned off: turn it on again from your settings.' : ''
  return {
    to: user.email,
    subject: 'Your NucleusID master password was reset',
    text: `Hello ${user.name},\n\nYour master password was just reset with your recovery code, and every other session was logged out.${twoFactor}\n\nIf this was not you, contact your NucleusID administrator at once.\n`,
  }
}

export function twoFactorNoticeMessage(user: Recipient, on: boolean, appOrigin: string): MailMessage {
  const what = on
    ? 'Two-factor authentication was turned on for your NucleusID account. From now on, logging in also asks for a code from your authenticator app.'
    : 'Two-factor authentication was turned off for your NucleusID account. Logging in now needs only your master password.'
  return {
    to: user.email,
    subject: on ? 'Two-factor authentication turned on' : 'Two-factor authentication turned off',
    text: `Hello ${user.name},\n\n${what}\n\nIf this was not you, reset your master password with your recovery code at ${appOrigin}/recover: that also logs out every other device.\n`,
  }
}

export function emailChangeRequestedMessage(user: Recipient, newEmail: string): MailMessage {
  return {
    to: user.email,
    subject: 'Your NucleusID email is about to change',
    text: `Hello ${user.name},\n\nSomeone asked to change the email of your NucleusID account to ${newEmail}. Nothing changes until the link sent to that address is opened; until then this address stays the account's.\n\nIf this was not you, change your master password at once: someone may have access to your session.\n`,
  }
}

/** To the new address of an email change: not the sign-up text, since the account exists already. */
export function emailChangeVerificationMessage(user: Recipient, currentEmail: string, link: string): MailMessage {
  return {
    to: user.email,
    subject: 'Confirm your new NucleusID email address',
    text: `Hello ${user.name},\n\nYou asked to change the email of your NucleusID account from ${currentEmail} to this address. Open this link to confirm it:\n\n${link}\n\nThe link is valid for 24 hours. Until it is opened, you keep logging in with ${currentEmail}. If you did not ask for this, ignore this message: nothing changes.\n`,
    link,
  }
}

/** To the old address once the change is done: the last word that address gets about the account. */
export function emailChangedMessage(user: Recipient, newEmail: string, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'Your NucleusID email address was changed',
    text: `Hello ${user.name},\n\nThe email address of your NucleusID account was changed to ${newEmail}. From now on you log in with that address, and our messages go there; this address gets no more of them.\n\nIf this wasn't you, someone may have access to your account: reset your master password with your recovery code at ${appOrigin}/recover (that logs out every other device) and contact your NucleusID administrator.\n`,
  }
}

export function passwordChangedMessage(user: Recipient): MailMessage {
  return {
    to: user.email,
    subject: 'Your NucleusID master password was changed',
    text: `Hello ${user.name},\n\nThe master password of your NucleusID account was just changed from settings, and every other device was logged out.\n\nIf this was not you, reset your master password with your recovery code at once.\n`,
  }
}

export function recoveryCodeIssuedMessage(user: Recipient): MailMessage {
  return {
    to: user.email,
    subject: 'A new NucleusID recovery code was issued',
    text: `Hello ${user.name},\n\nA new recovery code was just issued for your NucleusID account from settings. The previous code no longer works.\n\nIf this was not you, change your master password at once.\n`,
  }
}

export function accountDeletedMessage(user: Recipient): MailMessage {
  return {
    to: user.email,
    subject: 'Your NucleusID account was deleted',
    text: `Hello ${user.name},\n\nYour NucleusID account and every item, folder and device of it were deleted. Folders you shared were deleted for their members too.\n\nThis cannot be undone. If this was not you, contact your NucleusID administrator.\n`,
  }
}

export function vaultExportedMessage(user: Recipient, device: { name: string; ip: string }, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'Your NucleusID vault was exported',
    text: `Hello ${user.name},\n\nEvery item of your NucleusID vault was just downloaded as an unencrypted CSV file, from ${device.name} (IP ${device.ip}).\n\nIf this was not you, someone knows your master password: change it at once in your settings at ${appOrigin}/dashboard/settings/security (that logs out every other device), then the password of each item.\n`,
  }
}

/** An administrator's invitation to create an account (issue 24): the link fixes the address. */
export function signupInvitationMessage(to: string, invite: { inviterName: string; link: string; expiresAt: Date }, appOrigin: string): MailMessage {
  return {
    to,
    subject: 'You are invited to NucleusID',
    text: `Hello,\n\n${invite.inviterName} invited you to create an account on the NucleusID password manager at ${appOrigin}.\n\nCreate your account here (the link works once, until ${invite.expiresAt.toUTCString()}):\n\n${invite.link}\n\nIf you did not expect this, ignore this message.\n`,
    link: invite.link,
  }
}

/** "Send a test message" on /admin/mail. */
export function testMessage(to: string, adminEmail: string, appOrigin: string): MailMessage {
  return {
    to,
    subject: 'NucleusID test message',
    text: `This is a test message from the NucleusID instance at ${appOrigin}, sent by its administrator ${adminEmail}.\n\nIf you can read it, outgoing mail works.\n`,
  }
}

/** An administrator turned off a user's two-factor (they lost their authenticator and recovery code). */
export function twoFactorOffByAdminMessage(user: Recipient, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'Two-factor authentication was turned off on your NucleusID account',
    text: `Hello ${user.name},\n\nAn administrator of ${appOrigin} turned off two-factor authentication on your account, as you asked. Logging in now needs only your master password.\n\nTurn it on again in your settings at ${appOrigin}/dashboard/settings/security. If you did not ask for this, tell the administrator at once.\n`,
  }
}

/** An administrator disabled or enabled the account. */
export function accountDisabledMessage(user: Recipient, disabled: boolean, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: disabled ? 'Your NucleusID account was disabled' : 'Your NucleusID account was enabled again',
    text: disabled
      ? `Hello ${user.name},\n\nAn administrator of ${appOrigin} disabled your account: you were logged out everywhere and cannot log in until it is enabled again. Your vault is kept as it is.\n`
      : `Hello ${user.name},\n\nAn administrator of ${appOrigin} enabled your account again. You can log in at ${appOrigin}/login.\n`,
  }
}

/** Someone shared a folder with an address that has no account (issue 24): how to get one. */
export function shareSignupMessage(to: string, share: { ownerName: string; link: string; expiresAt?: Date }, appOrigin: string): MailMessage {
  const validity = share.expiresAt ? ` (the link works once, until ${share.expiresAt.toUTCString()})` : ''
  return {
    to,
    subject: `${share.ownerName} wants to share passwords with you on NucleusID`,
    text: `Hello,\n\n${share.ownerName} wants to share a folder of passwords with you on the NucleusID password manager at ${appOrigin}, but no account uses this address yet.\n\nCreate one here${validity}:\n\n${share.link}\n\nThen verify your email and tell ${share.ownerName}, who can invite you to the folder. If you did not expect this, ignore this message.\n`,
    link: share.link,
  }
}

/**
 * To a shared folder's owner when a member left it or was removed (issue 25, ADR 038). No item's
 * name and no password (the server cannot read them), nor the folder's name: the link says which.
 */
export function departureMessage(owner: Recipient, departure: { how: 'left' | 'removed'; items: number; folderId: string }, appOrigin: string): MailMessage {
  const link = `${appOrigin}/dashboard/folders/${departure.folderId}`
  const what = departure.how === 'left' ? 'A member left one of your shared folders' : 'A member was removed from one of your shared folders'
  const items = departure.items === 1 ? '1 item' : `${departure.items} items`
  return {
    to: owner.email,
    subject: `${what} on NucleusID`,
    text: `Hello ${owner.name},\n\n${what}. While a member they could read ${items} of it.\n\nThe folder already has a new key and every item was encrypted again, so what they kept opens nothing current. But what they saw, they may remember or have copied: the folder page lists the items, which ones they revealed or copied, and the passwords to change (each is ticked off once its password changes):\n\n${link}\n`,
    link,
  }
}
