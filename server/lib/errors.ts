// One error model: each error carries a status and a message safe to show to the user.
// Anything else that is thrown is a bug: logged in full, shown as a generic 500.
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export type FieldErrors = Record<string, string>

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

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}
