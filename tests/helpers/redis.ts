// The run's Redis as the servers use it (npm test sets REDIS_URL and a fresh REDIS_PREFIX), for
// tests that read or tamper with what the servers stored there.
export function redisEnv() {
  const url = process.env.REDIS_URL
  const prefix = process.env.REDIS_PREFIX
  if (!url || !prefix) throw new Error('REDIS_URL and REDIS_PREFIX are not set: run the suite with `npm test`')
  return { redisUrl: url, prefix }
}
