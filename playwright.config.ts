import { defineConfig } from '@playwright/test'

// Every flow runs twice: with JavaScript disabled and enabled. The servers are started by
// scripts/test.mjs (npm test), which sets BASE_URL, CHROMIUM_PATH and, for a browser that needs
// extra flags (scripts/chromium.mjs chooses it), CHROMIUM_ARGS as a JSON array.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    ...['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    ...(JSON.parse(process.env.CHROMIUM_ARGS ?? '[]') as string[]),
  ],
}

export default defineConfig({
  testDir: 'tests/e2e',
  // A stray test.only would silently run one test and pass: always an error, not only in CI.
  forbidOnly: true,
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json']],
  outputDir: 'test-results',
  use: {
    baseURL: process.env.BASE_URL ?? 'http://localhost:3000',
    launchOptions,
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'no-js', use: { javaScriptEnabled: false } },
    { name: 'js', use: { javaScriptEnabled: true } },
  ],
})
