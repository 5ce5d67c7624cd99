/**
 * "195 KB", "1.5 MB": units of 1024, as the limits are set (10 MB is 10 x 1024 x 1024 bytes), so a
 * limit reads as the round number it was configured as (attachments, ADR 033).
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  const mb = bytes / (1024 * 1024)
  return `${mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb)} MB`
}
