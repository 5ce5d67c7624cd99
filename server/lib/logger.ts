import { pino, type Logger } from 'pino'

// JSON logs. Redaction is a second line of defence: code must never pass secrets in the first place.
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.recoveryCode', '*.vaultKey'],
      censor: '[redacted]',
    },
  })
}
export type { Logger }
