import path from 'node:path'
import markdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { createHelpCenter, headingId, renderMarkdown } from './helpCenter.js'
import { isSafeHref, safeAttrs, type MdNode } from '../../shared/markdownTree.js'

const fixture = createHelpCenter(path.resolve('tests/fixtures/help'))
const md = new markdownIt({ html: false })
const textOf = (nodes: MdNode[]): string => nodes.map((n) => (typeof n === 'string' ? n : textOf(n.slice(2) as MdNode[]))).join('')
const tagsOf = (nodes: MdNode[]): string[] => nodes.flatMap((n) => (typeof n === 'string' ? [] : [n[0], ...tagsOf(n.slice(2) as MdNode[])]))

describe('markdown to an element tree', () => {
  it('shows raw HTML as text, never as an element', () => {
    const { body } = renderMarkdown(md, 'Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div>block</div>\n')
    expect(tagsOf(body)).toEqual(['p', 'p'])
    expect(textOf(body)).toContain('<script>alert(1)</script>')
    expect(textOf(body)).toContain('<img src=x onerror=alert(1)>')
  })

  it('refuses a link a visitor should not follow', () => {
    for (const href of ['javascript:alert(1)', 'data:text/html,x', '//evil.example/x', 'vbscript:x']) {
      // markdown-it leaves some as text; the rest this renderer refuses, so a bad article fails the build.
      let links: string[] = []
      try {
        links = renderMarkdown(md, `[x](${href})`).links
      } catch (err) {
        expect(String(err)).toMatch(/not allowed/)
      }
      expect(links).toEqual([])
    }
    expect(renderMarkdown(md, '[x](/support/a#b) [y](https://example.org) [z](#here)').links).toEqual(['/support/a#b', 'https://example.org', '#here'])
  })

  it('gives headings GitHub ids, numbering repeats, and lists them for the table of contents', () => {
    const article = fixture.articles().find((a) => a.slug === 'first-steps')!
    expect(article.toc).toEqual([
      { id: 'create-an-account', text: 'Create an account', depth: 2 },
      { id: 'create-an-account-1', text: 'Create an account', depth: 2 },
      { id: 'the-recovery-code', text: 'The recovery code', depth: 3 },
    ])
    expect(headingId('Two-factor & the “recovery” code: 2FA!')).toBe('two-factor--the-recovery-code-2fa')
    // A tight list's items hold their text directly; a table sits in its scrolling box, aligned.
    expect(tagsOf(article.body)).toEqual(expect.arrayContaining(['ul', 'li', 'table', 'th', 'pre', 'code', 'blockquote']))
    expect(JSON.stringify(article.body)).toContain('["li",null,"tight item one"]')
    expect(JSON.stringify(article.body)).toContain('["div",{"class":"table-wrap","tabindex":"0"},["table"')
    expect(JSON.stringify(article.body)).toContain('["th",{"class":"align-right"},"Other"]')
    expect(JSON.stringify(article.body)).toContain('["code",{"class":"language-sh"},"npm ci && npm start\\n"]')
  })

  it('checks attributes and links again where they are rendered', () => {
    expect(isSafeHref('/support')).toBe(true)
    expect(isSafeHref('javascript:alert(1)')).toBe(false)
    expect(isSafeHref('/\\evil.example')).toBe(false)
    expect(safeAttrs({ href: 'javascript:x', class: 'callout evil', id: 'a b' })).toEqual({ class: 'callout' })
  })
})

describe('the help center', () => {
  it('orders the index by section, then order', () => {
    expect(fixture.index().map((s) => [s.section, s.articles.map((a) => a.slug)])).toEqual([
      ['Getting started', ['first-steps']],
      ['Sharing', ['sharing-things']],
    ])
  })

  it('gives an article its neighbours, and 404 for a slug that is none', () => {
    const article = fixture.article('first-steps')!
    expect(article.previous).toBeNull()
    expect(article.next).toEqual({ slug: 'sharing-things', title: 'Sharing things' })
    expect(article.toc).toHaveLength(3)
    expect(fixture.article('sharing-things')!.toc).toEqual([])
    for (const slug of ['nope', '__proto__', 'constructor', '../pages/about', 'toString']) expect(fixture.article(slug)).toBeNull()
  })

  it('finds an article by a word in its body, with a snippet and the heading above it', () => {
    const [hit, ...rest] = fixture.search('ZEBRA')
    expect(rest).toEqual([])
    expect(hit!.href).toBe('/support/sharing-things#who-can-see')
    expect(hit!.snippet).toEqual([
      { text: 'Members of the folder see its items. The ', mark: false },
      { text: 'zebra', mark: true },
      { text: ' word is here.', mark: false },
    ])
  })

  it('matches every word, ignoring case and accents, and ranks title words first', () => {
    expect(fixture.search('cafe CREME').map((h) => h.slug)).toEqual(['first-steps'])
    expect(fixture.search('sharing').map((h) => h.slug)).toEqual(['sharing-things', 'first-steps'])
    expect(fixture.search('zebra account')).toEqual([])
  })

  it('finds nothing for nonsense, an empty or a hostile query', () => {
    for (const q of ['qwzxv', '', '   ', '<qwzxv>', '%00', '.*', 'a'.repeat(10_000)]) expect(fixture.search(q)).toEqual([])
  })

  it('renders the public pages', () => {
    expect(fixture.page('privacy').title).toBe('privacy')
    expect(textOf(fixture.page('terms').body)).toBe('Text of terms.')
  })
})
