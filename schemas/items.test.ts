import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { customFieldsOf, itemFormSchema, newItemFormSchema, repeatedField, urlsOf } from './items.js'

const errorsOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [String(i.path[0]), i.message]))

describe('item form schemas (issue 23)', () => {
  it('reads a repeated field as a string, an array, or the object qs makes past 20 repeats', () => {
    expect(repeatedField('a')).toEqual(['a'])
    expect(repeatedField(['a', 3, 'b'])).toEqual(['a', 'b'])
    expect(repeatedField({ 1: 'b', 0: 'a', 10: 'k', x: 'no' })).toEqual(['a', 'b', 'k'])
    expect(repeatedField(undefined)).toEqual([])
  })

  it('an unknown type is refused beside the type; an absent one is a login (older forms)', () => {
    expect(errorsOf(itemFormSchema.safeParse({ type: 'passport', name: 'X' }))).toEqual({ type: expect.stringContaining('Choose a login') })
    expect(itemFormSchema.parse({ name: 'X' }).type).toBe('login')
  })

  it('a login keeps every web address in order, the first as url; a bad one is refused beside itself', () => {
    const r = itemFormSchema.parse({ type: 'login', name: 'Git', url: ['github.com', '', 'gist.github.com'] })
    expect(r.url).toBe('github.com')
    expect(r.moreUrls).toEqual(['gist.github.com'])
    expect(urlsOf({ url: ['ok.example', 'not a url'] }).errors).toEqual({ 'url.1': expect.stringContaining('web address') })
    expect(urlsOf({ url: Array.from({ length: 21 }, (_, i) => `s${i}.example`) }).errors.url).toContain('at most 20')
  })

  it('a card: digits only, a month from the list, a four-digit year; the brand from the number', () => {
    const card = itemFormSchema.parse({ type: 'card', name: 'Visa', cardholder: ' Ada ', card_number: '4242 4242 4242 4242', exp_month: '03', exp_year: '2031', card_code: '123', username: 'dropped' })
    expect(card).toMatchObject({ type: 'card', username: '', password: '', url: '', card: { cardholder: 'Ada', number: '4242 4242 4242 4242', brand: 'Visa', expMonth: '3', expYear: '2031', code: '123' } })
    const bad = errorsOf(itemFormSchema.safeParse({ type: 'card', name: 'X', card_number: '4242abcd', exp_month: '13', exp_year: '31', card_code: '12a' }))
    expect(Object.keys(bad).sort()).toEqual(['card_code', 'card_number', 'exp_month', 'exp_year'])
    // A number failing the checksum is still valid input: the route warns, the item is saved.
    expect(itemFormSchema.safeParse({ type: 'card', name: 'X', card_number: '4242 4242 4242 4241' }).success).toBe(true)
  })

  it('an identity maps every field; an SSH key leaves the fingerprint to the service', () => {
    const id = itemFormSchema.parse({ type: 'identity', name: 'Me', first_name: 'Ada', last_name: 'Lovelace', postal_code: 'N1', national_id: '123', passport: 'P1', licence: 'L1', region: 'London' })
    expect(id.identity).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', postalCode: 'N1', nationalId: '123', passport: 'P1', licence: 'L1', region: 'London' })
    const ssh = itemFormSchema.parse({ type: 'ssh', name: 'Laptop', private_key: 'key', public_key: 'pub', fingerprint: 'typed' })
    expect(ssh.ssh).toEqual({ privateKey: 'key', publicKey: 'pub', fingerprint: '' })
  })

  it('custom fields: in order, empty rows dropped, a checkbox true or false, a value without a name refused', () => {
    const { fields, errors } = customFieldsOf({ field_name: ['PIN', '', 'Agreed', ''], field_value: ['1234', '', 'on', 'orphan'], field_kind: ['hidden', 'text', 'checkbox', 'text'] })
    expect(fields).toEqual([
      { name: 'PIN', value: '1234', kind: 'hidden' },
      { name: 'Agreed', value: 'true', kind: 'checkbox' },
      { name: '', value: 'orphan', kind: 'text' },
    ])
    expect(errors).toEqual({ 'field_name.3': expect.stringContaining('Name this field') })
    expect(customFieldsOf({ field_name: ['a'], field_value: ['b'], field_kind: ['secret'] }).errors).toEqual({ 'field_kind.0': expect.any(String) })
  })

  it('1,000 custom fields are refused with one message, not 1,000', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `f${i}`)
    const r = itemFormSchema.safeParse({ name: 'X', field_name: many, field_value: many, field_kind: many.map(() => 'text') })
    expect(errorsOf(r)).toEqual({ fields: expect.stringContaining('at most 100') })
  })

  it('the new-item form reports the folder and the fields at once', () => {
    const r = newItemFormSchema.safeParse({ folder_id: 'nope', name: '' })
    expect(Object.keys(errorsOf(r)).sort()).toEqual(['folder_id', 'name'])
    const folder = randomUUID()
    expect(newItemFormSchema.parse({ folder_id: folder, type: 'note', name: 'N', note: 'a\nb' })).toMatchObject({ folderId: folder, type: 'note', note: 'a\nb' })
  })
})
