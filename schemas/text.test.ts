// Every text field of every form refuses what cannot be stored faithfully: control characters
// (multi-line notes keep tab and line breaks) and lone UTF-16 surrogates, each with a message.
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { loginSchema, recoverSchema, registerSchema } from './auth.js'
import { folderSchema } from './vault.js'
import { newItemFormSchema as itemSchema } from './items.js'
import { CONTROL_MESSAGE, CONTROL_MULTILINE_MESSAGE, SURROGATE_MESSAGE } from './text.js'

const PASSWORD = 'violet harbor quantum 58 teapot'
const FOLDER = '0b5e1c7a-3d2f-4e8b-9a6c-1f2e3d4c5b6a'
const valid = {
  register: { name: 'Ada', email: 'ada@example.test', password: PASSWORD, password_confirm: PASSWORD },
  login: { email: 'ada@example.test', password: PASSWORD },
  recover: { email: 'ada@example.test', recovery_code: 'ABCD-EFGH', new_password: PASSWORD, new_password_confirm: PASSWORD },
  folder: { name: 'Work' },
  item: { folder_id: FOLDER, name: 'Bank', username: 'ada', password: 'pw', url: 'https://bank.example', note: 'a note' },
}
const forms: [string, z.ZodType, Record<string, string>, string[]][] = [
  ['register', registerSchema, valid.register, ['name', 'email', 'password', 'password_confirm']],
  ['login', loginSchema, valid.login, ['email', 'password']],
  ['recover', recoverSchema, valid.recover, ['email', 'recovery_code', 'new_password', 'new_password_confirm']],
  ['folder', folderSchema, valid.folder, ['name']],
  ['item', itemSchema, valid.item, ['name', 'username', 'password', 'url']],
]

function messageFor(schema: z.ZodType, input: Record<string, string>, field: string): string | undefined {
  const r = schema.safeParse(input)
  return r.success ? undefined : r.error.issues.find((i) => i.path[0] === field)?.message
}

// Both passwords change together so that "the two passwords do not match" is not what answers.
const withValue = (input: Record<string, string>, field: string, value: (v: string) => string) => {
  const out = { ...input, [field]: value(input[field]!) }
  for (const [a, b] of [['password', 'password_confirm'], ['new_password', 'new_password_confirm']] as const) {
    if (field === a || field === b) out[a === field ? b : a] = out[field]!
  }
  return out
}

describe('text fields', () => {
  it.each(forms)('%s: the valid input passes', (_, schema, input) => {
    expect(schema.safeParse(input).success).toBe(true)
  })

  for (const [form, schema, input, fields] of forms) {
    for (const field of fields) {
      it.each([
        ['NUL', '\u0000'],
        ['tab', '\t'],
        ['line feed', '\n'],
        ['escape', '\u001b'],
        ['DEL', '\u007f'],
      ])(`${form}.${field} refuses %s`, (_, ch) => {
        expect(messageFor(schema, withValue(input, field, (v) => `${v.slice(0, 2)}${ch}${v.slice(2)}`), field)).toBe(CONTROL_MESSAGE)
      })
      it.each([
        ['lone high surrogate', '\ud83d'],
        ['lone low surrogate', '\ude00'],
      ])(`${form}.${field} refuses a %s`, (_, ch) => {
        expect(messageFor(schema, withValue(input, field, (v) => `${v.slice(0, 2)}${ch}${v.slice(2)}`), field)).toBe(SURROGATE_MESSAGE)
      })
    }
  }

  it('a pair of surrogates (an emoji) is fine in any field', () => {
    expect(itemSchema.safeParse({ ...valid.item, name: 'Bank \ud83d\ude00', note: '\ud83d\ude00' }).success).toBe(true)
    expect(registerSchema.safeParse({ ...valid.register, name: 'Ada \ud83d\ude00' }).success).toBe(true)
  })

  it('a note keeps tabs and line breaks, and refuses every other control character', () => {
    expect(itemSchema.safeParse({ ...valid.item, note: 'line 1\r\nline 2\n\tindented' }).success).toBe(true)
    for (const ch of ['\u0000', '\u0007', '\u000b', '\u000c', '\u001b', '\u007f']) {
      expect(messageFor(itemSchema, { ...valid.item, note: `a${ch}b` }, 'note')).toBe(CONTROL_MULTILINE_MESSAGE)
    }
    expect(messageFor(itemSchema, { ...valid.item, note: 'a\ud800b' }, 'note')).toBe(SURROGATE_MESSAGE)
  })

  it('a folder id with anything odd in it is refused like any other bad id', () => {
    expect(messageFor(itemSchema, { ...valid.item, folder_id: `${FOLDER}\u0000` }, 'folder_id')).toBe('Choose a folder.')
    expect(messageFor(itemSchema, { ...valid.item, folder_id: '\ud800' }, 'folder_id')).toBe('Choose a folder.')
  })
})
