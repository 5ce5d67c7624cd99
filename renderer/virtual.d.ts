// Modules made by vite.config.ts's plugins.

/** The admin stylesheet's URL in a build (ADR 039); null in development (Vite injects the CSS). */
declare module 'virtual:nucleusid/admin-css' {
  const href: string | null
  export default href
}
