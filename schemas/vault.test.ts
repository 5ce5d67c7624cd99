import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { folderSchema, itemSchema, moveSchema } from './vault.js'

describe('item, move and folder schemas', () => {
  it('itemSchema: defaults, trimming, unknown fields ignored, uuid folder', () => {
    const folder = randomUUID().toUpperCase()
    expect(itemSchema.parse({ folder_id: ` ${folder} `, name: ' X ', extra: 'ignored', _csrf: 't' })).toEqual({
      folder_id: folder.toLowerCase(),
      name: 'X',
      username: '',
      password: '',
      url: '',
      note: '',
    })
    const r = itemSchema.safeParse({ folder_id: 'nope', name: 'x'.repeat(201), url: 'u'.repeat(2049), username: ['a', 'b'] })
    expect(r.success).toBe(false)
    const paths = r.error!.issues.map((i) => i.path[0])
    expect(new Set(paths)).toEqual(new Set(['folder_id', 'name', 'url', 'username']))
    expect(moveSchema.safeParse({ folder_id: randomUUID() }).success).toBe(true)
    expect(moveSchema.safeParse({}).success).toBe(false)
    expect(folderSchema.parse({ name: '  Trips ' })).toEqual({ name: 'Trips' })
  })
})
