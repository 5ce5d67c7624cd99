export function freePort(): Promise<number>
export function scratchStores(opts: {
  tag: string
  run: string
  log: (...args: unknown[]) => void
  onCleanup: (fn: () => Promise<void> | void) => void
}): Promise<{ databaseUrl: string; dbName: string; redisUrl: string; redisPrefix: string }>
