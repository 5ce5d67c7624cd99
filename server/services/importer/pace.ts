// Long loops on the event loop, cut into slices: the importer's loops over a file's rows (up to
// 20,000) and over the viewer's items run where every other request of the process waits, so
// each lets them in once it has held the loop for a few milliseconds (docs/decisions/019).

/** How long one slice of a loop may hold the event loop. */
export const SLICE_MS = 8

/** `if (slice.due()) await slice.breathe()` in a loop: yields to other work every SLICE_MS. */
export function slicer(ms = SLICE_MS) {
  let start = performance.now()
  return {
    due: () => performance.now() - start >= ms,
    async breathe() {
      await new Promise<void>((resolve) => setImmediate(resolve))
      start = performance.now()
    },
  }
}
