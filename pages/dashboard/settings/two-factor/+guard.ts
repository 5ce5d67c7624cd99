import { redirect } from 'vike/abort'

// Two-factor lives on the Security page now (ADR 022); old links and bookmarks land there.
export function guard() {
  throw redirect('/dashboard/settings/security')
}
