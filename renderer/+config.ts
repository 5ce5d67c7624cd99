import vikeVue from 'vike-vue/config'
import vikeVuePinia from 'vike-vue-pinia/config'
import type { Config } from 'vike/types'

// The app shell for every page. Only what the browser needs travels to it: the current user
// (no secrets; the browser's one copy, read with usePageContext()), the CSRF token for forms, a
// one-time flash message and a re-rendered form's state.
export default {
  extends: [vikeVue, vikeVuePinia],
  passToClient: ['user', 'csrfToken', 'flash', 'form'],
  title: 'NucleusID',
  // A page may have its own (a help article's summary).
  description: 'NucleusID: a self-hosted password manager. Keep your logins encrypted in one vault and share folders with the people you trust.',
  lang: 'en',
} satisfies Config
