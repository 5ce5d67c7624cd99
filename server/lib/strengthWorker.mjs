// A thread of the password-strength pool (server/lib/strengthPool.ts): zxcvbn, configured once in
// shared/passwordStrength.ts for the server and the browser's meter, away from the event loop.
// Plain JavaScript that loads the TypeScript module itself, so the thread starts the same way
// under `node --import tsx`, Vitest and the bench.
import { tsImport } from 'tsx/esm/api'

const { passwordScore } = await tsImport('../../shared/passwordStrength.ts', import.meta.url)

/** @param {{ password: string, inputs: string[] }[]} jobs @returns {number[]} zxcvbn scores, in order */
export default function scorePasswords(jobs) {
  return jobs.map(({ password, inputs }) => passwordScore(password, inputs))
}
