// Prometheus metrics for /metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method and status',
    labelNames: ['method', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const dbQueries = new Counter({
    name: 'db_queries_total',
    help: 'SQL queries sent to PostgreSQL (the bench reads it to count queries per request)',
    registers: [registry],
  })
  return {
    registry,
    countQuery: () => dbQueries.inc(),
    observe(method: string, status: number, seconds: number) {
      requests.inc({ method, status: String(status) })
      duration.observe({ method }, seconds)
    },
  }
}
export type Metrics = ReturnType<typeof createMetrics>
