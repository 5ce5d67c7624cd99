// The help center and the public pages (/about, /privacy, /terms): Markdown files in content/,
// read and rendered once at first use, then served from memory (issue 22, ADR 031). Markdown goes
// through markdown-it with raw HTML off, and its tokens become an allowlisted element tree
// (shared/markdownTree.ts), never an HTML string. Neither Koa nor Vue knows this module.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import markdownIt, { type MarkdownIt, type Token } from 'markdown-it'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { isMdTag, isSafeHref, type MdAttrs, type MdElement, type MdNode } from '../../shared/markdownTree.js'

/** The sections of the help index, in their order. */
export const HELP_SECTIONS = ['Getting started', 'Moving in', 'Your vault', 'Sharing', 'Security', 'Self-hosting'] as const
/** The public pages beside the articles. */
export const PUBLIC_PAGES = ['about', 'privacy', 'terms'] as const
export type PublicPageName = (typeof PUBLIC_PAGES)[number]

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const articleMeta = z.object({
  title: z.string().min(1).max(120),
  section: z.enum(HELP_SECTIONS),
  order: z.number().int().min(0),
  summary: z.string().min(1).max(200),
})
const pageMeta = z.object({ title: z.string().min(1).max(120), summary: z.string().min(1).max(200) })

export interface TocEntry {
  id: string
  text: string
  depth: 2 | 3
}
interface Rendered {
  body: MdNode[]
  toc: TocEntry[]
  /** The searchable text, one block at a time, each with the heading it sits under. */
  blocks: { anchor: string | null; text: string }[]
  /** Every link in the body, and every heading's id, for the link checker. */
  links: string[]
  ids: string[]
}
export interface Article extends Rendered {
  slug: string
  title: string
  section: (typeof HELP_SECTIONS)[number]
  order: number
  summary: string
}
export interface PublicPage extends Rendered {
  name: PublicPageName
  title: string
  summary: string
}
export interface SearchHit {
  slug: string
  title: string
  section: string
  /** Where the first match is: the article, or the heading above it. */
  href: string
  /** A stretch of text around the first match; `mark` pieces are the words searched for. */
  snippet: { text: string; mark: boolean }[]
}

/** A table of contents is shown from this many headings on. */
const TOC_FROM = 3
const MAX_QUERY = 200
const MAX_TERMS = 8

export function createHelpCenter(contentDir = path.resolve('content')) {
  let loaded: { articles: Article[]; bySlug: Map<string, Article>; pages: Map<PublicPageName, PublicPage> } | undefined
  // Read on first use and kept: the files ship with the build and do not change while it runs.
  const load = () => (loaded ??= loadContent(contentDir))
  // The articles' text folded for search once, not per query (folding it all took about 30 ms).
  let searchable: Searchable[] | undefined
  const searchIndex = () => (searchable ??= load().articles.map(searchableOf))

  return {
    /** Every article in index order (section, then order). */
    articles(): Article[] {
      return load().articles
    },
    /** The index grouped by section, without bodies. */
    index() {
      const { articles } = load()
      return HELP_SECTIONS.map((section) => ({
        id: headingId(section),
        section,
        articles: articles.filter((a) => a.section === section).map(({ slug, title, summary }) => ({ slug, title, summary })),
      })).filter((s) => s.articles.length > 0)
    },
    /** One article with its neighbours; null for a slug that is not one. */
    article(slug: string) {
      const { articles, bySlug } = load()
      const article = bySlug.get(slug)
      if (!article) return null
      const at = articles.indexOf(article)
      const neighbour = (a: Article | undefined) => (a ? { slug: a.slug, title: a.title } : null)
      return {
        slug: article.slug,
        title: article.title,
        section: article.section,
        summary: article.summary,
        body: article.body,
        toc: article.toc.length >= TOC_FROM ? article.toc : [],
        previous: neighbour(articles[at - 1]),
        next: neighbour(articles[at + 1]),
      }
    },
    /** The public pages, whole (the link checker reads them). */
    pages(): PublicPage[] {
      return [...load().pages.values()]
    },
    page(name: PublicPageName) {
      const page = load().pages.get(name)!
      return { name: page.name, title: page.title, summary: page.summary, body: page.body, toc: page.toc.length >= TOC_FROM ? page.toc : [] }
    },
    search(query: string): SearchHit[] {
      return search(searchIndex(), query)
    },
  }
}
export type HelpCenter = ReturnType<typeof createHelpCenter>

function loadContent(contentDir: string) {
  const md = new markdownIt({ html: false, linkify: false, typographer: true })
  const read = (file: string) => splitFrontMatter(readFileSync(file, 'utf8'), file)
  const helpDir = path.join(contentDir, 'help')
  const articles = readdirSync(helpDir)
    .filter((f) => f.endsWith('.md'))
    .map((file) => {
      const slug = file.slice(0, -3)
      if (!SLUG.test(slug)) throw new Error(`content/help/${file}: a file name must be a slug (lower-case words and hyphens)`)
      const { meta, body } = read(path.join(helpDir, file))
      const parsed = articleMeta.safeParse(meta)
      if (!parsed.success) throw new Error(`content/help/${file}: front matter: ${z.prettifyError(parsed.error)}`)
      return { slug, ...parsed.data, ...renderMarkdown(md, body) }
    })
    .sort((a, b) => HELP_SECTIONS.indexOf(a.section) - HELP_SECTIONS.indexOf(b.section) || a.order - b.order || a.title.localeCompare(b.title))
  const pages = new Map<PublicPageName, PublicPage>()
  for (const name of PUBLIC_PAGES) {
    const file = path.join(contentDir, 'pages', `${name}.md`)
    const { meta, body } = read(file)
    const parsed = pageMeta.safeParse(meta)
    if (!parsed.success) throw new Error(`content/pages/${name}.md: front matter: ${z.prettifyError(parsed.error)}`)
    pages.set(name, { name, ...parsed.data, ...renderMarkdown(md, body) })
  }
  return { articles, bySlug: new Map(articles.map((a) => [a.slug, a])), pages }
}

function splitFrontMatter(source: string, file: string): { meta: unknown; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(source)
  if (!match) throw new Error(`${file}: it must start with front matter between --- lines`)
  return { meta: parseYaml(match[1]!), body: source.slice(match[0].length) }
}

/** GitHub's heading ids: lower case, only letters, digits, spaces and hyphens, spaces as hyphens. */
export function headingId(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-')
}

/**
 * Markdown to the element tree. Only token types listed here produce elements; anything else
 * (an image, say) leaves its text. Raw HTML is off in markdown-it, so it arrives as text.
 */
export function renderMarkdown(md: MarkdownIt, source: string): Rendered {
  const tokens = md.parse(source, {})
  const root: MdElement = ['div', null]
  const stack: MdElement[] = [root]
  const toc: TocEntry[] = []
  const blocks: Rendered['blocks'] = []
  const links: string[] = []
  const ids: string[] = []
  const usedIds = new Map<string, number>()
  let anchor: string | null = null
  let blockText = ''
  const top = () => stack[stack.length - 1]!
  const push = (node: MdNode) => top().push(node)
  const endBlock = () => {
    if (blockText.trim()) blocks.push({ anchor, text: blockText.replace(/\s+/g, ' ').trim() })
    blockText = ''
  }

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.type === 'heading_open') {
      const inline = tokens[i + 1]!
      const text = plainText(inline.children ?? [])
      const base = headingId(text) || 'section'
      const seen = usedIds.get(base) ?? 0
      usedIds.set(base, seen + 1)
      const id = seen ? `${base}-${seen}` : base
      ids.push(id)
      // The article's title is its h1; a `#` in the body is shown one level down.
      const depth = Math.min(Math.max(Number(token.tag.slice(1)), 2), 4) as 2 | 3 | 4
      endBlock()
      anchor = depth <= 3 ? id : anchor
      if (depth <= 3) toc.push({ id, text, depth: depth as 2 | 3 })
      const heading: MdElement = [`h${depth}`, { id }, ...inlineNodes(inline.children ?? [], links)]
      heading.push(['a', { class: 'heading-anchor', href: `#${id}` }, ['span', { class: 'visually-hidden' }, `Link to “${text}”`], ['span', { 'aria-hidden': 'true' }, '#']])
      push(heading)
      blockText += `${text} `
      endBlock()
      i += 2 // the inline content and heading_close
      continue
    }
    if (token.type === 'inline') {
      for (const node of inlineNodes(token.children ?? [], links)) push(node)
      blockText += `${plainText(token.children ?? [])} `
      continue
    }
    if (token.type === 'fence' || token.type === 'code_block') {
      const lang = token.info.trim().split(/\s+/)[0] ?? ''
      const code: MdElement = ['code', /^[\w+-]+$/.test(lang) ? { class: `language-${lang}` } : null, token.content]
      push(['pre', { tabindex: '0' }, code])
      blockText += `${token.content} `
      if (stack.length === 1) endBlock()
      continue
    }
    if (token.type === 'hr') {
      push(['hr', null])
      continue
    }
    if (token.type === 'html_block') {
      // Not reachable with html: false; kept as text should the option ever change.
      push(['p', null, token.content])
      continue
    }
    // Paragraphs of a tight list are hidden: their text goes straight into the <li>.
    if (token.hidden) continue
    if (token.nesting === 1) {
      const tag = token.tag
      if (!isMdTag(tag)) throw new Error(`markdown: no element for ${token.type}`)
      const element: MdElement = [tag, elementAttrs(token)]
      if (tag === 'table') {
        // Wide tables scroll inside their own box on a phone instead of widening the page.
        const wrap: MdElement = ['div', { class: 'table-wrap', tabindex: '0' }, element]
        push(wrap)
      } else {
        if (tag === 'blockquote') element[1] = { class: 'callout' }
        push(element)
      }
      stack.push(element)
      continue
    }
    if (token.nesting === -1) {
      stack.pop()
      // A table row or a list item reads as a text of its own in a search snippet.
      if (token.type === 'th_close' || token.type === 'td_close') blockText += ' · '
      if (stack.length === 1 || token.type === 'tr_close' || token.type === 'list_item_close') {
        blockText = blockText.replace(/[\s·]+$/, '')
        endBlock()
      }
      continue
    }
  }
  endBlock()
  return { body: root.slice(2) as MdNode[], toc, blocks, links, ids }
}

function elementAttrs(token: Token): MdAttrs | null {
  if (token.tag === 'ol') {
    const start = String(token.attrGet('start') ?? 1)
    return start !== '1' ? { start } : null
  }
  if (token.tag === 'th' || token.tag === 'td') {
    const align = /text-align:(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1]
    return align ? { class: `align-${align}` } : null
  }
  return null
}

function inlineNodes(tokens: Token[], links: string[]): MdNode[] {
  const root: MdElement = ['span', null]
  const stack: MdElement[] = [root]
  const push = (node: MdNode) => {
    const top = stack[stack.length - 1]!
    // Adjacent texts join (markdown-it splits them at every special character).
    const last = top[top.length - 1]
    if (typeof node === 'string' && typeof last === 'string' && top.length > 2) top[top.length - 1] = last + node
    else top.push(node)
  }
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
        push(token.content)
        break
      case 'softbreak':
        push('\n')
        break
      case 'hardbreak':
        push(['br', null])
        break
      case 'code_inline':
        push(['code', null, token.content])
        break
      case 'image':
        // No images in articles: their description stays as text.
        push(plainText(token.children ?? []))
        break
      case 'link_open': {
        const href = String(token.attrGet('href') ?? '')
        if (!isSafeHref(href)) throw new Error(`markdown: link to "${href}" is not allowed (a site path, #anchor, https: or mailto:)`)
        links.push(href)
        const element: MdElement = ['a', { href }]
        push(element)
        stack.push(element)
        break
      }
      case 'strong_open':
      case 'em_open':
      case 's_open': {
        const element: MdElement = [token.tag as 'strong' | 'em' | 's', null]
        push(element)
        stack.push(element)
        break
      }
      case 'link_close':
      case 'strong_close':
      case 'em_close':
      case 's_close':
        stack.pop()
        break
      default:
        // html_inline cannot occur (html: false); anything new keeps its text.
        if (token.content) push(token.content)
    }
  }
  return root.slice(2) as MdNode[]
}

function plainText(tokens: Token[]): string {
  return tokens.map((t) => (t.type === 'softbreak' || t.type === 'hardbreak' ? ' ' : t.children ? plainText(t.children) : t.content)).join('')
}

/** Lower case without accents, with where each folded character came from in the original. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = ''
  const origin: number[] = []
  for (let i = 0; i < text.length; i++) {
    const f = text[i]!.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    folded += f
    for (let k = 0; k < f.length; k++) origin.push(i)
  }
  origin.push(text.length)
  return { folded, origin }
}

/**
 * Articles containing every word of the query (titles, summaries and text; accents and case
 * ignored), best first: a word in the title counts most. Each hit carries a snippet around its
 * first match in the text and the heading it is under.
 */
interface Searchable {
  article: Article
  title: string
  summary: string
  blocks: (Rendered['blocks'][number] & ReturnType<typeof fold>)[]
}
const searchableOf = (article: Article): Searchable => ({
  article,
  title: fold(article.title).folded,
  summary: fold(article.summary).folded,
  blocks: article.blocks.map((b) => ({ ...b, ...fold(b.text) })),
})

function search(index: Searchable[], query: string): SearchHit[] {
  const terms = [...new Set(fold(query.slice(0, MAX_QUERY)).folded.split(/[^\p{L}\p{N}_]+/u).filter((t) => t.length > 0))].slice(0, MAX_TERMS)
  if (!terms.length) return []
  const hits: (SearchHit & { score: number })[] = []
  for (const { article, title, summary, blocks } of index) {
    let score = 0
    let everyTerm = true
    for (const term of terms) {
      const inTitle = hasWord(title, term)
      const inSummary = hasWord(summary, term)
      const inText = blocks.reduce((n, b) => n + countOf(b.folded, term), 0)
      if (!inTitle && !inSummary && !inText) {
        everyTerm = false
        break
      }
      score += (inTitle ? 10 : 0) + (inSummary ? 3 : 0) + Math.min(inText, 5)
    }
    if (!everyTerm) continue
    const first = blocks.find((b) => terms.some((t) => hasWord(b.folded, t)))
    hits.push({
      slug: article.slug,
      title: article.title,
      section: article.section,
      href: `/support/${article.slug}${first?.anchor ? `#${first.anchor}` : ''}`,
      snippet: first ? snippetOf(first.text, first.folded, first.origin, terms) : [{ text: article.summary, mark: false }],
      score,
    })
  }
  return hits.sort((a, b) => b.score - a.score).map(({ score: _score, ...hit }) => hit)
}

/** Where `term` next starts a word of `text` (a search matches the beginnings of words: "pass" finds "password", not "bypass"). */
function wordAt(text: string, term: string, from = 0): number {
  for (let at = text.indexOf(term, from); at !== -1; at = text.indexOf(term, at + 1)) {
    if (at === 0 || !/[\p{L}\p{N}_]/u.test(text[at - 1]!)) return at
  }
  return -1
}
const hasWord = (text: string, term: string) => wordAt(text, term) !== -1

function countOf(haystack: string, needle: string): number {
  let n = 0
  for (let at = wordAt(haystack, needle); at !== -1 && n < 5; at = wordAt(haystack, needle, at + needle.length)) n++
  return n
}

const BEFORE = 60
const AFTER = 140

function snippetOf(text: string, folded: string, origin: number[], terms: string[]): SearchHit['snippet'] {
  // The matches, as ranges of the original text.
  const ranges: [number, number][] = []
  for (const term of terms) {
    for (let at = wordAt(folded, term); at !== -1; at = wordAt(folded, term, at + term.length)) {
      ranges.push([origin[at]!, origin[at + term.length]!])
    }
  }
  ranges.sort((a, b) => a[0] - b[0])
  const firstAt = ranges[0]?.[0] ?? 0
  let start = Math.max(0, firstAt - BEFORE)
  let end = Math.min(text.length, firstAt + AFTER)
  // Whole words at both ends.
  if (start > 0) start = text.indexOf(' ', start) + 1 || start
  if (end < text.length) end = text.lastIndexOf(' ', end) > firstAt ? text.lastIndexOf(' ', end) : end
  const pieces: SearchHit['snippet'] = []
  let at = start
  for (const [from, to] of ranges) {
    if (from < at || to > end) continue
    if (from > at) pieces.push({ text: text.slice(at, from), mark: false })
    pieces.push({ text: text.slice(from, to), mark: true })
    at = to
  }
  if (at < end) pieces.push({ text: text.slice(at, end), mark: false })
  if (start > 0) pieces.unshift({ text: '…', mark: false })
  if (end < text.length) pieces.push({ text: '…', mark: false })
  return pieces
}
