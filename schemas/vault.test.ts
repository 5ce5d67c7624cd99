import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { folderSchema, moveSchema } from './vault.js'
import { newItemFormSchema as itemSchema } from './items.js'

describe('item, move and folder schemas', () => {
  it('itemSchema: defaults, trimming, unknown fields ignored, uuid folder', () => {
    const folder = randomUUID().toUpperCase()
    expect(itemSchema.parse({ folder_id: ` ${folder} `, name: ' X ', extra: 'ignored', _csrf: 't' })).toEqual({
      folderId: folder.toLowerCase(),
      type: 'login',
      name: 'X',
      username: '',
      password: '',
      url: '',
      moreUrls: [],
      note: '',
      totp: '',
      rotateDays: null,
      fields: [],
    })
    const r = itemSchema.safeParse({ folder_id: 'nope', name: 'x'.repeat(201), url: 'u'.repeat(2049), username: ['a', 'b'] })
    expect(r.success).toBe(false)
    const paths = r.error!.issues.map((i: { path: PropertyKey[] }) => i.path[0])
    expect(new Set(paths)).toEqual(new Set(['folder_id', 'name', 'url', 'username']))
    // Rotation reminder (issue 21): the select decides; 'custom' reads the number; a message beside rotate_days.
    const f = { folder_id: folder, name: 'X' }
    expect(itemSchema.parse({ ...f, rotate_days: '90', rotate_days_custom: '7' }).rotateDays).toBe(90)
    expect(itemSchema.parse({ ...f, rotate_days: 'custom', rotate_days_custom: ' 45 ' }).rotateDays).toBe(45)
    expect(itemSchema.parse({ ...f, rotate_days: '', rotate_days_custom: '45' }).rotateDays).toBe(null)
    for (const bad of [{ rotate_days: 'custom', rotate_days_custom: '' }, { rotate_days: 'custom', rotate_days_custom: '3651' }, { rotate_days: '0' }, { rotate_days: 'often' }, { rotate_days: ['30', '90'] }]) {
      const res = itemSchema.safeParse({ ...f, ...bad })
      expect(res.success).toBe(false)
      expect(res.error!.issues.map((i: { path: PropertyKey[] }) => i.path[0])).toContain('rotate_days')
    }
    expect(moveSchema.safeParse({ folder_id: randomUUID() }).success).toBe(true)
    expect(moveSchema.safeParse({}).success).toBe(false)
    expect(folderSchema.parse({ name: '  Trips ' })).toEqual({ name: 'Trips' })
  })
})
