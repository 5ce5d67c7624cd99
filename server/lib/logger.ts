import { pino, type DestinationStream, type Logger } from 'pino'

/**
 * What a Sequelize error carries besides its message, under the key errors are logged with (err,
 * also pino's key for an error logged as the object itself): the SQL (replacements are inlined
 * into it), the bound parameters (emails, hashes, wrapped keys), again on the pg error it wraps
 * (parent and original, the same object), pg's detail ("Key (email)=(...) already exists"), and
 * per field the offending value and the whole model instance, and the fields/value of constraint
 * errors.
 * Name, message, code and stack stay: enough to tell what failed.
 */
const DB_ERROR_PATHS = [
  'sql',
  'parameters',
  'detail',
  'fields',
  'value',
  'instance',
  // Validation errors: Sequelize's errors[], which pino also serializes as aggregateErrors[].
  ...['errors', 'aggregateErrors'].flatMap((e) => [`${e}[*].value`, `${e}[*].instance`, `${e}[*].original`]),
  ...['parent', 'original'].flatMap((e) => [`${e}.sql`, `${e}.parameters`, `${e}.detail`]),
].map((p) => `err.${p}`)

// JSON logs. Redaction is a second line of defence: code must never pass secrets in the first place.
// destination: stdout unless given (tests capture the lines).
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.recoveryCode', '*.vaultKey', ...DB_ERROR_PATHS],
      censor: '[redacted]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
export type { Logger }
