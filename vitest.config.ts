import { defineConfig } from 'vitest/config'

// Unit tests beside the code (*.test.ts) and integration tests in tests/integration, all against
// the real PostgreSQL and Redis that scripts/test.mjs prepared (DATABASE_URL, REDIS_URL, REDIS_PREFIX).
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'schemas/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
})
