// What one bench run measured, as the report (bench/dashboard.ts), the bars (bench/bars.ts) and
// --json see it.
import type { LoadResult } from './load.js'
import type { FirstLoad, Serialized } from './assets.js'
import type { BrowserResult } from './browser.js'
import type { LighthouseResult } from './lighthouse.js'
import type { CompressionResult } from './compression.js'
import type { MemoryResult } from './memory.js'

/** One row of the load test: a seeded user (0, 200, 1,000 items, or the shared member). */
export interface SizeResult {
  label: string
  size: number
  shared: boolean
  app: LoadResult
  ceiling: LoadResult
  ratio: number
  cpuRatio: number
  dashboardQueries: { min: number; max: number }
  authQueries: { min: number; max: number }
  htmlBytes: number
  ceilingHtmlBytes: number
  sameMarkup: boolean
  /** Bytes of the serialized page context (every size, the empty vault's too). */
  stateBytes: number
  /** The canary item's occurrences (vaults with items only). */
  state: Serialized | null
  listVaultMs: number
  warmListVaultMs: number
  changedListVaultMs: number
  sqlMs: number
}

export interface BenchResults {
  results: SizeResult[]
  assets: FirstLoad | null
  browser: BrowserResult | null
  /** /dashboard (200 items) and /login, when run. */
  lighthouse: LighthouseResult[] | null
  compression: CompressionResult | null
  memory: MemoryResult | null
}
