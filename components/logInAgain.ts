// Logging in again in place (JavaScript), when a form comes back "You were logged out" (its session
// ended on another device, or expired): a small dialog posts to /login (and /login/2fa) by fetch,
// then fetches a CSRF token for the new session, so the form can be sent again with everything the
// user typed. Loaded only when needed (AppForm imports it lazily): plain DOM, no component.
// Without JavaScript the server sends the form to /login?next=<its page> instead (session/loggedOut.ts).
import { EMAIL_MAX, MAX_PASSWORD, TOTP_CODE_FIELD_MAX } from '../schemas/limits'

type Answer = { ok?: boolean; redirect?: string; message?: string; error?: string; errors?: Record<string, string> } | null

async function csrfToken(): Promise<string> {
  const res = await fetch('/session/csrf', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
  const json = (await res.json()) as { token?: string }
  if (!json.token) throw new Error('no token')
  return json.token
}

async function post(path: string, fields: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams({ ...fields, _csrf: await csrfToken() })
  const res = await fetch(path, { method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
  return (await res.json().catch(() => null)) as Answer
}

let opened = 0

function field(id: string, label: string, attrs: Record<string, string>): { wrap: HTMLDivElement; input: HTMLInputElement } {
  const wrap = document.createElement('div')
  wrap.className = 'field'
  const l = document.createElement('label')
  l.className = 'field-label'
  l.htmlFor = id
  l.textContent = label
  const input = document.createElement('input')
  input.id = id
  input.className = 'input'
  input.required = true
  for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, v)
  wrap.append(l, input)
  return { wrap, input }
}

/** Opens the dialog; resolves with a CSRF token of the new session, or null if the user cancelled. */
export function logInAgain(email: string): Promise<string | null> {
  const n = ++opened
  const dialog = document.createElement('dialog')
  dialog.className = 'panel login-again'
  dialog.setAttribute('aria-labelledby', `login-again-title-${n}`)
  const title = document.createElement('h2')
  title.id = `login-again-title-${n}`
  title.textContent = 'You were logged out'
  const intro = document.createElement('p')
  intro.className = 'small muted'
  intro.textContent = 'Log in again to send your form: what you typed is kept.'
  const form = document.createElement('form')
  form.className = 'stack'
  form.noValidate = true
  const alert = document.createElement('p')
  alert.className = 'form-error'
  alert.setAttribute('role', 'alert')
  alert.tabIndex = -1
  alert.hidden = true
  const emailField = field(`login-again-email-${n}`, 'Email', { type: 'email', name: 'email', autocomplete: 'username', maxlength: String(EMAIL_MAX) })
  emailField.input.value = email
  const passwordField = field(`login-again-password-${n}`, 'Master password', { type: 'password', name: 'password', autocomplete: 'current-password', maxlength: String(MAX_PASSWORD) })
  const codeField = field(`login-again-code-${n}`, 'Authentication code', { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: String(TOTP_CODE_FIELD_MAX) })
  const buttons = document.createElement('div')
  buttons.className = 'row'
  const submit = document.createElement('button')
  submit.type = 'submit'
  submit.className = 'btn btn-primary'
  submit.textContent = 'Log in'
  const cancel = document.createElement('button')
  cancel.type = 'button'
  cancel.className = 'btn'
  cancel.textContent = 'Cancel'
  buttons.append(submit, cancel)
  // The code field replaces these two only for an account with two-factor (`hidden` would lose to .field's display).
  form.append(alert, emailField.wrap, passwordField.wrap, buttons)
  dialog.append(title, intro, form)
  document.body.append(dialog)

  return new Promise((resolve) => {
    let result: string | null = null
    let step: 'password' | 'code' = 'password'
    const fail = (text: string, focus: HTMLElement) => {
      alert.textContent = text
      alert.hidden = false
      focus.focus()
    }
    cancel.addEventListener('click', () => dialog.close())
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(result)
    })
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      if (submit.disabled) return
      submit.disabled = true
      try {
        const answer =
          step === 'password'
            ? await post('/login', { email: emailField.input.value, password: passwordField.input.value })
            : await post('/login/2fa', { code: codeField.input.value })
        if (!answer?.ok) {
          const input = step === 'code' ? codeField.input : passwordField.input
          if (step === 'password') passwordField.input.value = ''
          return fail(answer?.message ?? answer?.error ?? 'Could not log in. Please try again.', input)
        }
        if (step === 'password' && answer.redirect?.startsWith('/login/2fa')) {
          // The account has two-factor: the code is the second step, as on the login page.
          step = 'code'
          emailField.wrap.remove()
          passwordField.wrap.replaceWith(codeField.wrap)
          alert.hidden = true
          codeField.input.focus()
          return
        }
        result = await csrfToken()
        dialog.close()
      } catch {
        fail('Could not reach the server. Check your connection and try again.', submit)
      } finally {
        submit.disabled = false
      }
    })
    dialog.showModal()
    ;(email ? passwordField.input : emailField.input).focus()
  })
}
