// Controls that only work with JavaScript are in the server's HTML but hidden until the page is
// hydrated (the list's copy buttons): marking <html> shows them, with no component re-rendering.
export function onHydrationEnd() {
  document.documentElement.classList.add('hydrated')
}
