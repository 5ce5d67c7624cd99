// Refinements shared by every form's text fields. What cannot be stored faithfully is refused
// with a message next to the field rather than altered or passed on: a lone UTF-16 surrogate
// (possible in JSON, not in a form) becomes U+FFFD when encrypted and makes encodeURIComponent
// throw; control characters (NUL, escapes, line breaks in a name) end up in HTML, CSV exports and
// other clients' terminals.
import type { z } from 'zod'

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
// C0 controls and DEL.
const CONTROL = /[\u0000-\u001f\u007f]/
// The same, except tab, line feed and carriage return, which a multi-line field keeps.
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

export const SURROGATE_MESSAGE = 'This contains characters that cannot be stored.'
export const CONTROL_MESSAGE = 'This cannot contain control characters such as tabs or line breaks.'
export const CONTROL_MULTILINE_MESSAGE = 'This cannot contain control characters other than tabs and line breaks.'

const wellFormed = (v: string) => !LONE_SURROGATE.test(v)

/** A one-line field (names, email, URL, passwords, codes): no control characters at all. */
export const singleLine = (s: z.ZodString) =>
  s.refine(wellFormed, SURROGATE_MESSAGE).refine((v) => !CONTROL.test(v), CONTROL_MESSAGE)

/** A multi-line field (notes): tabs and line breaks only. */
export const multiLine = (s: z.ZodString) =>
  s.refine(wellFormed, SURROGATE_MESSAGE).refine((v) => !CONTROL_EXCEPT_LINES.test(v), CONTROL_MULTILINE_MESSAGE)
