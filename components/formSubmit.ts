// What an enhanced form does once it is sent (AppForm.vue): post by fetch, show the errors in place
// or follow the redirect, log in again in place when the session ended elsewhere. Loaded on the
// first submit, so a page's first load carries only the form itself; the button shows its pending
// state before this arrives.
import { nextTick } from 'vue'
import { navigate, reload } from 'vike/client/router'
import { safeNext } from '../shared/safeNext'
import type { FormContext } from './formContext'

export interface Submission {
  form: HTMLFormElement
  /** The form's fields, read when it was submitted (before anything re-renders it). */
  body: URLSearchParams
  state: Pick<FormContext, 'errors' | 'message' | 'messageId'>
  userEmail: string
  onSuccess: (redirect: string) => void
}

/**
 * While a submit is on its way the fields are read-only (after the body was serialised, so
 * nothing is lost; readonly, not disabled, so focus and the look stay). Checkboxes, radios and
 * selects have no readonly: the form's aria-busy style stops pointer changes to them.
 */
function holdFields(form: HTMLFormElement): () => void {
  const held = [...form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input:not([type=hidden]), textarea')].filter((f) => !f.readOnly)
  for (const f of held) f.readOnly = true
  return () => held.forEach((f) => (f.readOnly = false))
}

/**
 * The banner sits at the top of the form, maybe far above the button that was pressed (the long
 * item form): focus moves to it, and it is scrolled to the middle of the view, clear of the sticky
 * header.
 */
function showMessage(messageId: string) {
  const el = document.getElementById(messageId)
  if (!el) return
  el.focus({ preventScroll: true })
  el.scrollIntoView({ block: 'center' })
}

/** Sends the form; a CSRF token when it should be sent again with it (logged in again in place). */
export async function submitForm({ form, body, state, userEmail, onSuccess }: Submission): Promise<string | null> {
  const { errors, message, messageId } = state
  const releaseFields = holdFields(form)
  try {
    const res = await fetch(form.action, {
      method: 'POST',
      body,
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
    const json = await res.json().catch(() => null)
    if (json?.ok) {
      errors.value = {}
      message.value = undefined
      // Never follow a redirect that is not a path on this site, whatever the response says.
      const redirect = safeNext(json.redirect)
      onSuccess(redirect)
      const here = window.location.pathname + window.location.search
      if (redirect === here) await reload()
      else await navigate(redirect)
      return null
    }
    if (res.status === 401 && json?.loggedOut) {
      // The session ended elsewhere (or expired): log in again in place, then send the same
      // form again with a token of the new session. Cancelled: the message says what happened.
      message.value = json.error
      const { logInAgain } = await import('./logInAgain')
      const token = await logInAgain(userEmail)
      if (token) return token
      await nextTick()
      showMessage(messageId)
      return null
    }
    errors.value = json?.errors ?? {}
    message.value = json?.message ?? json?.error ?? 'Something went wrong. Please try again.'
    await nextTick()
    const firstInvalid = form.querySelector<HTMLElement>('[aria-invalid="true"]')
    if (firstInvalid) firstInvalid.focus()
    else showMessage(messageId)
    return null
  } catch {
    message.value = 'Could not reach the server. Check your connection and try again.'
    await nextTick()
    showMessage(messageId)
    return null
  } finally {
    releaseFields()
  }
}
