// The mail the servers write as .eml files under MAIL_DIR (no SMTP in tests): shared by the
// end-to-end specs and the HTTP-level tests.
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'

function mailDir(): string {
  const dir = process.env.MAIL_DIR
  if (!dir) throw new Error('MAIL_DIR is not set: run the suite with `npm test` (or set MAIL_DIR to the servers\' mail directory)')
  return dir
}

/** Undoes quoted-printable: soft line breaks (`=` at the end of a line) and `=XX` escapes. */
export function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

export interface Mail {
  file: string
  mtimeMs: number
  to: string
  subject: string
  body: string
}

/** Parses one .eml file: unfolded headers, body decoded (quoted-printable or base64). */
export function parseEml(raw: string): Omit<Mail, 'file' | 'mtimeMs'> {
  const split = raw.search(/\r?\n\r?\n/)
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ')
  let body = raw.slice(split).replace(/^\r?\n\r?\n/, '')
  const header = (name: string) => head.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'im'))?.[1]?.trim() ?? ''
  const encoding = header('Content-Transfer-Encoding').toLowerCase()
  if (encoding === 'quoted-printable') body = decodeQuotedPrintable(body)
  else if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  return { to: header('To'), subject: header('Subject'), body }
}

/** Every message to `recipient`, oldest first. */
export async function mailTo(recipient: string): Promise<Mail[]> {
  const dir = mailDir()
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml'))
  } catch {
    return []
  }
  const wanted = recipient.toLowerCase()
  const mails: Mail[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    const [raw, info] = await Promise.all([readFile(file, 'utf8'), stat(file)])
    const mail = parseEml(raw)
    // "To: Name <a@b>" or "To: a@b": compare the bare addresses.
    const addresses = mail.to.split(',').map((a) => (a.match(/<([^>]+)>/)?.[1] ?? a).trim().toLowerCase())
    if (addresses.includes(wanted)) mails.push({ file, mtimeMs: info.mtimeMs, ...mail })
  }
  return mails.sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file))
}

/** The link in the newest verification email to `recipient` (waits for the mail to arrive). */
export async function latestVerificationLink(recipient: string, timeoutMs = 10_000): Promise<string> {
  const started = Date.now()
  for (;;) {
    const mails = await mailTo(recipient)
    for (const mail of mails.reverse()) {
      const link = mail.body.match(/https?:\/\/\S+\/verify\?token=[^\s"<>]+/)?.[0]
      if (link) return link
    }
    if (Date.now() - started > timeoutMs) throw new Error(`no verification email to ${recipient} in ${process.env.MAIL_DIR}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}
