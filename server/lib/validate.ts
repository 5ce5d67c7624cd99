// Parses a form body with a zod schema; turns failures into one message per field.
import type { z } from 'zod'
import { ValidationError } from './errors.js'
import type { FieldErrors } from '../../shared/contract.js'

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {})
  if (result.success) return result.data
  const fields: FieldErrors = {}
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '_form')
    fields[key] ??= issue.message
  }
  throw new ValidationError(fields)
}
