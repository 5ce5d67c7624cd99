// Password strength with zxcvbn (dictionary-based), built once per process.
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as en from '@zxcvbn-ts/language-en'

const zxcvbn = new ZxcvbnFactory({
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
  translations: en.translations,
})

/** zxcvbn score 0..4; below 3 counts as weak (SPEC section 4). */
export function passwordScore(password: string, userInputs: string[] = []): number {
  // zxcvbn's cost grows with length; the first 100 characters decide the score anyway.
  return zxcvbn.check(password.slice(0, 100), userInputs).score
}

export const isWeakPassword = (password: string, userInputs: string[] = []) => passwordScore(password, userInputs) < 3
