import type { InjectionKey, Ref } from 'vue'

export interface FormContext {
  values: Record<string, string>
  /** Repeated fields as the server re-rendered them (several web addresses, custom fields). */
  lists?: Record<string, string[]>
  /** The server re-rendered this form (422, no JavaScript): its password fields come back empty. */
  rerendered?: boolean
  /** zxcvbn scores the server computed for the submitted passwords (no-JS re-render). */
  strength: Record<string, number>
  errors: Ref<Record<string, string>>
  pending: Ref<boolean>
  /** The button that sent the pending submit (null: the form's hidden default button, or none). */
  submitter: Ref<HTMLElement | null>
  /** The form's own message (the banner) and its element id: a field whose error says the same
   *  thing points at the banner instead of repeating it. */
  message: Ref<string | undefined>
  messageId: string
}
export const formContextKey: InjectionKey<FormContext> = Symbol('form')
