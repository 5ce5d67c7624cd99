// The link checker (issue 22): every link in every article and public page (content/) leads
// somewhere. Links between articles and to their headings are checked here; links to the app's
// own pages are fetched from the running server in tests/integration/help-center.test.ts.
import { describe, expect, it } from 'vitest'
import { HELP_SECTIONS, createHelpCenter } from './helpCenter.js'

const help = createHelpCenter()
const articles = help.articles()
const documents = [
  ...articles.map((a) => ({ ...a, file: `content/help/${a.slug}.md`, path: `/support/${a.slug}` })),
  ...help.pages().map((p) => ({ ...p, file: `content/pages/${p.name}.md`, path: `/${p.name}` })),
]

describe('the help content', () => {
  it('has articles in every section, each with a title, a summary and a body', () => {
    expect(new Set(articles.map((a) => a.section))).toEqual(new Set(HELP_SECTIONS))
    for (const a of articles) expect(a.blocks.length, a.slug).toBeGreaterThan(2)
  })

  it('links only to articles, headings and pages that exist', () => {
    const idsOf = new Map(documents.map((d) => [d.path, new Set(d.ids)]))
    const broken: string[] = []
    for (const doc of documents) {
      for (const link of doc.links) {
        if (/^(https|mailto):/.test(link)) continue
        const [path, anchor] = link.split('#') as [string, string | undefined]
        if (path === '') {
          if (!doc.ids.includes(anchor!)) broken.push(`${doc.file}: ${link} (no such heading here)`)
          continue
        }
        const ids = idsOf.get(path)
        if (!ids) {
          if (path.startsWith('/support/')) broken.push(`${doc.file}: ${link} (no such article)`)
          else if (anchor !== undefined) broken.push(`${doc.file}: ${link} (an anchor on an app page)`)
          continue
        }
        if (anchor !== undefined && !ids.has(anchor)) broken.push(`${doc.file}: ${link} (no heading "#${anchor}" there)`)
      }
    }
    expect(broken).toEqual([])
  })

  it('has no raw HTML that would show as text', () => {
    const stray = documents.flatMap((d) => d.blocks.filter((b) => /<\/?(?:a|div|span|br|p|img|script|b|i)\b[^>]*>/i.test(b.text) && !/`/.test(b.text)).map((b) => `${d.file}: ${b.text.slice(0, 80)}`))
    expect(stray).toEqual([])
  })
})
