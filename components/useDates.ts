// Dates as the page's viewer reads them: in their time zone (shared/formatDate.ts), from the page
// context's user, the same on the server and in the browser.
import { computed } from 'vue'
import { usePageContext } from 'vike-vue/usePageContext'
import { formatDay, formatDayTime, zoneOf } from '../shared/formatDate'

export function useDates() {
  const pageContext = usePageContext()
  const zone = computed(() => zoneOf(pageContext.user))
  return {
    zone,
    formatDay: (d: Date | string | number) => formatDay(d, zone.value),
    formatDayTime: (d: Date | string | number) => formatDayTime(d, zone.value),
  }
}
