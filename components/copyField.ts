// Asks the server for one field of an item (POST /dashboard/items/:id/copy, ADR 030) and puts it
// on the clipboard. Loaded on first use (a dynamic import), never with a page's first load.
import type { TypeSecretField } from '../shared/itemTypes'

/** The fields POST /dashboard/items/:id/copy gives out: username, a type's secret field, or a hidden custom field. */
export type CopyableField = 'username' | TypeSecretField | `field_${number}` | `old_${number}`

export interface CopiedField {
  value: string
  secondsLeft?: number
  period?: number
}

/** The page's current CSRF token: its forms' field (logging in again in place rewrites them). */
function csrfToken(fallback: string): string {
  return document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value || fallback
}

/** The field's value; throws an Error with a message to show when the server refuses. */
export async function fetchField(itemId: string, field: CopyableField, token: string): Promise<CopiedField> {
  let res: Response
  try {
    res = await fetch(`/dashboard/items/${encodeURIComponent(itemId)}/copy`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrfToken(token) },
      body: new URLSearchParams({ field }),
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    throw new Error('Could not reach the server. Check your connection and try again.')
  }
  const data = (await res.json().catch(() => null)) as ({ ok?: boolean; error?: string } & Partial<CopiedField>) | null
  if (!res.ok || !data || typeof data.value !== 'string') throw new Error(data?.error ?? 'Could not copy. Reload the page and try again.')
  return { value: data.value, secondsLeft: data.secondsLeft, period: data.period }
}

/** Fetches the field and copies it. Safari wants the clipboard write started in the click: a ClipboardItem with a promise does that. */
export async function copyField(itemId: string, field: CopyableField, token: string): Promise<void> {
  const pending = fetchField(itemId, field, token)
  if (typeof ClipboardItem !== 'undefined' && navigator.clipboard?.write) {
    try {
      await navigator.clipboard.write([new ClipboardItem({ 'text/plain': pending.then((f) => new Blob([f.value], { type: 'text/plain' })) })])
      return
    } catch (e) {
      await pending // the server's refusal is the message to show, not the clipboard's
      if (!(e instanceof DOMException)) throw e
    }
  }
  const { value } = await pending
  try {
    await navigator.clipboard.writeText(value)
  } catch {
    throw new Error('Your browser did not allow copying to the clipboard.')
  }
}
