// The sidebar's icons (components/AppSidebar.vue: <use href="#i-...">), once per page in the HTML
// the server sends: as part of a component they would travel in the first-load JavaScript too.
// Every page carries it, since a client navigation (after logging in) keeps the first page's body.
const SYMBOLS = [
  '<symbol id="i-all" viewBox="0 0 24 24"><path d="M4 6h16M4 12h16M4 18h16"/></symbol>',
  '<symbol id="i-shares" viewBox="0 0 24 24"><path d="M3 20a6 6 0 0 1 12 0M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8m7 9a6 6 0 0 0-2-5m1-4a4 4 0 0 0 0-7"/></symbol>',
  '<symbol id="i-star" viewBox="0 0 24 24"><path d="m12 2.5 2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z"/></symbol>',
  '<symbol id="i-health" viewBox="0 0 24 24"><path d="M12 21s8-4 8-10V5l-8-3-8 3v6c0 6 8 10 8 10z"/></symbol>',
  '<symbol id="i-trash" viewBox="0 0 24 24"><path d="M4 7h16M10 4h4M6 7l1 13h10l1-13M10 11v5m4-5v5"/></symbol>',
  '<symbol id="i-folder" viewBox="0 0 24 24"><path d="M3 5h6l2 3h10v11H3z"/></symbol>',
  '<symbol id="i-import" viewBox="0 0 24 24"><path d="M12 3v12m-5-5 5 5 5-5M4 17v4h16v-4"/></symbol>',
  '<symbol id="i-settings" viewBox="0 0 24 24"><path d="M4 7h16M4 17h16M9 4v6m6 4v6"/></symbol>',
]

export default `<svg class="sprite" aria-hidden="true" focusable="false">${SYMBOLS.join('')}</svg>`
