import type { InjectionKey, Ref } from 'vue'

export interface FormContext {
  values: Record<string, string>
  errors: Ref<Record<string, string>>
  pending: Ref<boolean>
}
export const formContextKey: InjectionKey<FormContext> = Symbol('form')
