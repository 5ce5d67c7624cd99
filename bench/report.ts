// Plain-text tables for the bench output (also pasted into docs/performance.md).

export function table(headers: string[], rows: (string | number)[][], align: ('l' | 'r')[] = []) {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    '| ' + r.map((c, i) => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |'
  const sep = '|' + widths.map((w, i) => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|'
  return [line(headers), sep, ...cells.slice(1).map(line)].join('\n')
}

export const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')
export const kb = (bytes: number, digits = 1) => fixed(bytes / 1024, digits)
