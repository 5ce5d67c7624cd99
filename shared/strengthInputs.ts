// What each password is scored against besides itself, the same on server and client: a password
// made of the user's name or email is weaker than zxcvbn alone would think.

/** A master password (registration, settings): the user's name and email, and the app's name. */
export const masterPasswordInputs = (name: string, email: string) => [name.trim(), email.trim().toLowerCase(), 'nucleusid']

/** An item's password: the item's name and username. */
export const itemPasswordInputs = (name: string, username: string) => [name.trim(), username].filter((s) => s !== '')

export const STRENGTH_MAX = 4
/** The words the meter shows for each zxcvbn score; below 3 is weak (SPEC 4). */
export const STRENGTH_WORDS = ['very weak', 'weak', 'weak', 'good', 'strong'] as const
export const isWeakScore = (score: number) => score < 3

/** A text field's current value in a form (the meter reads the name and email as they are typed). */
export function fieldValue(form: HTMLFormElement | null, name: string): string {
  const el = form?.elements.namedItem(name)
  return el && 'value' in el && typeof el.value === 'string' ? el.value : ''
}
