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
  // The activity log (issue 25).
  '<symbol id="i-activity" viewBox="0 0 24 24"><path d="M3 12h4l3-8 4 16 3-8h4"/></symbol>',
  '<symbol id="i-settings" viewBox="0 0 24 24"><path d="M4 7h16M4 17h16M9 4v6m6 4v6"/></symbol>',
  // The administration (issue 24): shown to administrators only.
  '<symbol id="i-admin" viewBox="0 0 24 24"><path d="M4 4h16v7H4zm0 9h16v7H4zm4-5.5h.01M8 16.5h.01"/></symbol>',
  // The item types (issue 23), as components/item/ItemTypeIcon.vue draws them.
  '<symbol id="i-login" viewBox="-2 -2 20 20"><circle cx="5" cy="8" r="2.6"/><path d="M7.6 8H14M12 8v2.2M10 8v1.6"/></symbol>',
  '<symbol id="i-note" viewBox="-2 -2 20 20"><path d="M3.5 1.8h6l3 3v9.4h-9z"/><path d="M9.5 1.8v3h3M5.6 8h4.8M5.6 10.6h4.8"/></symbol>',
  '<symbol id="i-card" viewBox="-2 -2 20 20"><rect x="1.6" y="3.4" width="12.8" height="9.2" rx="1.4"/><path d="M1.6 6.4h12.8M4 10h2.6"/></symbol>',
  '<symbol id="i-identity" viewBox="-2 -2 20 20"><rect x="1.6" y="2.8" width="12.8" height="10.4" rx="1.4"/><circle cx="5.6" cy="7.2" r="1.6"/><path d="M3.4 11c.5-1.2 1.3-1.7 2.2-1.7s1.7.5 2.2 1.7M9.6 6.4h2.8M9.6 9h2.8"/></symbol>',
  '<symbol id="i-ssh" viewBox="-2 -2 20 20"><rect x="1.6" y="2.6" width="12.8" height="10.8" rx="1.4"/><path d="M4.4 6.2 6.6 8l-2.2 1.8M8.4 10.2h3"/></symbol>',
]

export default `<svg class="sprite" aria-hidden="true" focusable="false">${SYMBOLS.join('')}</svg>`
