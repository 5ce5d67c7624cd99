// A Redis client for one Vitest file (the e2e specs import redis.ts alone: no Vitest here for them).
import { afterAll } from 'vitest'
import { Redis } from 'ioredis'
import { redisEnv } from './redis.js'

/** A client of the run's Redis, closed after the file's tests, and the run's key prefix. */
export function testRedis() {
  const { redisUrl, prefix } = redisEnv()
  const redis = new Redis(redisUrl)
  afterAll(() => redis.disconnect())
  return { redis, prefix }
}
