// The id of a settings form's input, stable between the server and the browser, so the error
// summary at the top of a re-rendered page can link to it (#f-password-current_password).
export function fieldId(action: string, name: string): string {
  const form = action.replace(/^\/dashboard\/(settings\/)?/, '').replace(/[^a-z0-9]+/gi, '-')
  return `f-${form}-${name}`
}
