// The one shape in which rendered Markdown (the help articles, /about, /privacy, /terms) reaches a
// page: a tree of elements from a short allowlist, never an HTML string (ADR 031). The server builds
// it (server/services/helpCenter.ts) and components/MarkdownBody.vue turns it into Vue nodes, so
// every text and attribute is escaped by Vue and the lint rule against v-html holds.

/** A text, or an element: [tag, attributes or null, ...children]. Compact, since it travels in the page context. */
export type MdNode = string | MdElement
export type MdElement = [tag: MdTag, attrs: MdAttrs | null, ...children: MdNode[]]
export type MdAttrs = Partial<Record<MdAttr, string>>

export const MD_TAGS = [
  'p', 'h2', 'h3', 'h4', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'strong', 'em', 's', 'a', 'br', 'hr',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'span',
] as const
export type MdTag = (typeof MD_TAGS)[number]
const TAGS: ReadonlySet<string> = new Set(MD_TAGS)
export const isMdTag = (tag: string): tag is MdTag => TAGS.has(tag)

/** The attributes an element may carry; classes only from MD_CLASSES. */
export type MdAttr = 'href' | 'id' | 'class' | 'start' | 'aria-hidden' | 'tabindex'
export const MD_CLASSES = new Set(['table-wrap', 'align-left', 'align-center', 'align-right', 'heading-anchor', 'callout', 'visually-hidden'])

/**
 * Whether a link may be followed: a path on this site (not `//host`), a fragment, https or
 * mailto. Everything else (javascript:, data:, a relative path) is refused.
 */
export function isSafeHref(href: string): boolean {
  if (/[\s\\]/.test(href)) return false
  return /^\/(?!\/)/.test(href) || /^#[\w-]+$/.test(href) || /^https:\/\/[^/]/i.test(href) || /^mailto:[^:]+@/i.test(href)
}

/** An element's attributes with anything outside the allowlist left out (the renderer's second check). */
export function safeAttrs(attrs: MdAttrs | null): MdAttrs {
  const out: MdAttrs = {}
  if (!attrs) return out
  if (attrs.href !== undefined && isSafeHref(attrs.href)) out.href = attrs.href
  if (attrs.id !== undefined && /^[\w-]+$/.test(attrs.id)) out.id = attrs.id
  if (attrs.class !== undefined) {
    const classes = attrs.class.split(' ').filter((c) => MD_CLASSES.has(c) || /^language-[\w+-]+$/.test(c))
    if (classes.length) out.class = classes.join(' ')
  }
  if (attrs.start !== undefined && /^\d{1,6}$/.test(attrs.start)) out.start = attrs.start
  if (attrs['aria-hidden'] === 'true') out['aria-hidden'] = 'true'
  // A box that scrolls (a wide table, a long line of code) can be scrolled from the keyboard.
  if (attrs.tabindex === '0') out.tabindex = '0'
  return out
}
