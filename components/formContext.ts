import type { InjectionKey, Ref } from 'vue'

export interface FormContext {
  values: Record<string, string>
  errors: Ref<Record<string, string>>
  pending: Ref<boolean>
  /** The form's own message (the banner) and its element id: a field whose error says the same
   *  thing points at the banner instead of repeating it. */
  message: Ref<string | undefined>
  messageId: string
}
export const formContextKey: InjectionKey<FormContext> = Symbol('form')
