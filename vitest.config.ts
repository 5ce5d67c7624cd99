import { defineConfig } from 'vitest/config'

// Unit tests beside the code (*.test.ts) and integration tests in tests/integration, all against
// the real PostgreSQL and Redis that scripts/test.mjs prepared (DATABASE_URL, REDIS_URL, REDIS_PREFIX).
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'shared/**/*.test.ts', 'schemas/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    // A stray it.only/describe.only would silently skip the rest of its file: make it an error.
    allowOnly: false,
    // Vite sets import.meta.env.BASE_URL (and through it process.env.BASE_URL in the workers) to
    // its `base`, '/'. Keep the URL of the running server that scripts/test.mjs passes instead.
    env: process.env.BASE_URL ? { BASE_URL: process.env.BASE_URL } : {},
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
})
