/** The Chromium `npm test` and `npm run bench` use: CHROMIUM_PATH, the system's, Playwright's, or @sparticuz/chromium. */
export function findChromium(): Promise<{ path: string; source: string; args: string[]; env: Record<string, string> }>
