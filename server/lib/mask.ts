// Configuration values shown to administrators (/admin/mail, /admin/diagnostics) and pasted into bug
// reports: a URL keeps its scheme, host, port and path, never its user name or password.

/** `smtp://user:pass@host:587` -> `smtp://***@host:587`; text that is no URL is masked whole. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw)
    const masked = url.username || url.password ? '***@' : ''
    // Query strings can carry credentials too (?password=, ?auth=): they are dropped.
    return `${url.protocol}//${masked}${url.host}${url.pathname === '/' ? '' : url.pathname}${url.search ? '?***' : ''}`
  } catch {
    return '*** (set)'
  }
}
