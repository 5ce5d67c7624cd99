// Outgoing mail through nodemailer: SMTP_URL when set, else each message is written as an .eml
// file under MAIL_DIR (and, for local use, its link is logged) so development needs no mail server.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import nodemailer from 'nodemailer'
import type { Logger } from './logger.js'

export interface MailMessage {
  to: string
  subject: string
  text: string
  /** A link the message exists to deliver; logged in file mode so a developer can follow it. */
  link?: string
}

export interface Mailer {
  /** Resolves with the transport's answer (the SMTP server's reply, or the file written). */
  send(message: MailMessage): Promise<string>
}

export function createMailer(opts: { smtpUrl?: string; from: string; dir: string; logLinks: boolean; log: Logger }): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl)
    return {
      async send(m) {
        const info = await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text })
        return String(info.response ?? 'accepted')
      },
    }
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  const dir = path.resolve(opts.dir)
  return {
    async send(m) {
      const info = await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text })
      await mkdir(dir, { recursive: true })
      const file = path.join(dir, `${Date.now()}-${randomBytes(4).toString('hex')}.eml`)
      await writeFile(file, info.message as Buffer)
      // A link in a log is a credential in a log: only outside production.
      opts.log.info({ file, subject: m.subject, ...(opts.logLinks ? { link: m.link } : {}) }, 'mail written to file (SMTP_URL is unset)')
      return `written to ${path.basename(file)} in ${opts.dir}`
    },
  }
}
