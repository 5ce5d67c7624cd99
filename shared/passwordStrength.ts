// zxcvbn configured once for both sides: the server scores with it (weak = score < 3, SPEC 4) and
// the browser's meter loads this module lazily (its dictionaries are most of its size), so the
// meter shows exactly the score the server will compute.
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as en from '@zxcvbn-ts/language-en'

const zxcvbn = new ZxcvbnFactory({
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
  translations: en.translations,
})

/** zxcvbn score 0..4 of a password, given what the user typed elsewhere (name, email ...). */
export function passwordScore(password: string, userInputs: string[] = []): number {
  // zxcvbn's cost grows with length; the first 100 characters decide the score anyway.
  return zxcvbn.check(password.slice(0, 100), userInputs.filter((s) => s !== '')).score
}
