// One error model: each error carries a status and a message safe to show to the user.
// Anything else that is thrown is a bug: logged in full, shown as a generic 500.
import type { FieldErrors } from '../../shared/contract.js'

export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly fields: FieldErrors,
    message = fields._form ?? 'Please correct the highlighted fields.',
  ) {
    super(422, message)
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'This page does not exist, or it is not yours to see.') {
    super(404, message)
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do that.') {
    super(403, message)
  }
}
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message?: string,
  ) {
    super(429, message ?? `Too many attempts. Try again in ${formatWait(retryAfterSeconds)}.`)
  }
}

/**
 * The server has more of some work queued than it will take on (password scoring): 503 with
 * Retry-After at once, instead of a request that waits behind everyone else's.
 */
export class BusyError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'NucleusID is busy right now. Please try again in a few seconds.',
  ) {
    super(503, message)
  }
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

/** What a dependency outage answers with: 503, Retry-After, and this message. */
export const RETRY_AFTER_SECONDS = 5
import { UNAVAILABLE_MESSAGE } from '../../shared/errorPage.js'

export { UNAVAILABLE_MESSAGE }

export type Dependency = 'postgres' | 'redis'

export class ServiceUnavailableError extends AppError {
  constructor(
    readonly dependency: Dependency,
    options?: { cause?: unknown },
  ) {
    super(503, UNAVAILABLE_MESSAGE)
    if (options?.cause) this.cause = options.cause
  }
}

// Recognised by name and message, not instanceof: Vike's server bundle can hold its own copies of
// these classes, and this file stays free of server-only imports.
const PG_CONNECTION_ERROR =
  /^Sequelize(Connection|ConnectionRefused|ConnectionAcquireTimeout|ConnectionTimedOut|HostNotReachable|HostNotFound|InvalidConnection|AccessDenied)Error$/
// pg's own messages when the server goes away under a running query (restart, crash, failover).
const PG_CONNECTION_LOST = /Connection terminated|terminating connection|not queryable|the database system is (starting up|shutting down)/
// ioredis once its reconnect attempts for a command are spent; rate-limiter-flexible passes these on.
const REDIS_DOWN = /Connection is closed|Redis connection is not ready|Stream isn't writeable/
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/** Which dependency this error says is unreachable, or null for any other error. */
export function downDependency(err: unknown): Dependency | null {
  if (err instanceof ServiceUnavailableError) return err.dependency
  if (!(err instanceof Error)) return null
  if (PG_CONNECTION_ERROR.test(err.name)) return 'postgres'
  if (err.name === 'SequelizeDatabaseError' && (PG_CONNECTION_LOST.test(err.message) || /ECONNRESET/.test(err.message))) return 'postgres'
  // Sequelize passes pg's error on unwrapped when the connection drops during its setup queries.
  if (err.name === 'Error' && PG_CONNECTION_LOST.test(err.message)) return 'postgres'
  if (err.name === 'MaxRetriesPerRequestError' || REDIS_DOWN.test(err.message)) return 'redis'
  // A bare socket error can only be Redis's: the app reaches PostgreSQL through Sequelize, which wraps its errors.
  const { code, syscall } = err as NodeJS.ErrnoException
  if (syscall === 'connect' && code && CONNECT_FAILURES.has(code)) return 'redis'
  return null
}

export const isDependencyDown = (err: unknown) => downDependency(err) !== null

/**
 * 4xx for errors that only malformed input causes but that arrive without a status: a body whose
 * Content-Encoding lies (zlib's Z_* codes from the body parser's inflate) and URIError (encodeURI*
 * of a lone UTF-16 surrogate, decodeURI* of a broken escape). Null for anything else.
 */
export function inputErrorStatus(err: unknown): { status: number; message: string } | null {
  if (!(err instanceof Error)) return null
  const code = (err as NodeJS.ErrnoException).code
  if (typeof code === 'string' && code.startsWith('Z_')) return { status: 400, message: 'The request body could not be decoded (its Content-Encoding does not match it).' }
  if (err instanceof URIError) return { status: 400, message: 'The request contains characters that cannot be stored.' }
  return null
}

const CLIENT_ABORT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE'])

/** The client went away (closed the socket mid-body or mid-response): not the server's fault. */
export function isClientAbort(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as NodeJS.ErrnoException).code
  return (code !== undefined && CLIENT_ABORT_CODES.has(code)) || /^(request )?aborted$/.test(err.message)
}
