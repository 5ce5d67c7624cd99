import { createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import vue from '@vitejs/plugin-vue'
import vike from 'vike/plugin'
import { transform as lightningcss } from 'lightningcss'
import type { Plugin, UserConfig } from 'vite'

// Hashed client assets are compressed once at build time (brotli + gzip); koa-static serves the
// .br/.gz siblings, so `npm start` alone serves as fast as behind nginx.
function precompress(): Plugin {
  return {
    name: 'nucleusid:precompress',
    apply: 'build',
    async closeBundle() {
      const dir = path.resolve('dist/client/assets')
      const files = await readdir(dir, { recursive: true }).catch(() => [] as string[])
      for (const file of files) {
        if (!/\.(js|css|svg|json|mjs)$/.test(file)) continue
        const full = path.join(dir, file)
        const data = await readFile(full)
        if (data.length < 1024) continue
        await writeFile(`${full}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }))
        await writeFile(`${full}.gz`, gzipSync(data, { level: 9 }))
      }
    },
  }
}

/** What the admin page's +Head imports: the URL of the admin stylesheet (null in development). */
const ADMIN_CSS_ID = 'virtual:nucleusid/admin-css'
const ADMIN_CSS_HREF = '__NUCLEUSID_ADMIN_CSS_HREF__'
/** The <style> blocks of the admin components (plugin-vue's style modules). */
const ADMIN_STYLE = /\/components\/admin\/[^/?]+\.vue\?vue&type=style&/

// The admin pages' styles apart from the one global stylesheet (ADR 039): every page loads that
// one render-blocking file (ADR 021), and /dashboard need not download /admin's. The admin
// components keep their <style> blocks (scoped as before); in a build, their CSS, as plugin-vue
// compiled it, is taken out before Vite's CSS plugin collects it into the global file, and written
// to a file of its own, named by the hash of its content, which the admin page's +Head links. Each
// environment (client, server) compiles the same blocks, so both name the same file; the client's
// build writes it beside the global one. It is not in Vite's manifest: Vike links the global
// stylesheet only while it is the manifest's one CSS file (cssCodeSplit off). In development Vite
// injects every component's CSS as usual and the +Head links nothing.
function adminStylesApart(): Plugin {
  const captured = new Map<string, Map<string, string>>() // environment -> style module id -> CSS
  let isBuild = false
  function asset(env: string) {
    const styles = captured.get(env)
    if (!styles?.size) return null
    // In the order of the files' paths: the same in every environment, whatever order they were transformed in.
    const css = [...styles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c).join('\n')
    const source = Buffer.from(lightningcss({ filename: 'admin.css', code: Buffer.from(css), minify: true }).code).toString()
    const hash = createHash('sha256').update(source).digest('base64url').slice(0, 8)
    return { fileName: `assets/static/admin.${hash}.css`, source }
  }
  return {
    name: 'nucleusid:admin-styles-apart',
    configResolved(config) {
      isBuild = config.command === 'build'
    },
    resolveId(id) {
      if (id === ADMIN_CSS_ID) return `\0${ADMIN_CSS_ID}`
    },
    load(id) {
      if (id === `\0${ADMIN_CSS_ID}`) return `export default ${isBuild ? JSON.stringify(ADMIN_CSS_HREF) : 'null'}`
    },
    // After plugin-vue (listed after it, so its scoped CSS is final here), before vite:css-post
    // (which runs after every plugin without `enforce`): that plugin then collects an empty string.
    transform(code, id) {
      if (!isBuild || !ADMIN_STYLE.test(id)) return
      const env = this.environment.name
      if (!captured.has(env)) captured.set(env, new Map())
      captured.get(env)!.set(id, code)
      return { code: '', map: null }
    },
    renderChunk(code) {
      if (!code.includes(ADMIN_CSS_HREF)) return
      const a = asset(this.environment.name)
      if (!a) this.error('the admin page links its stylesheet, but no admin component has a <style> block')
      return { code: code.replaceAll(ADMIN_CSS_HREF, `/${a.fileName}`), map: null }
    },
    generateBundle() {
      if (this.environment.config.consumer !== 'client') return
      const a = asset(this.environment.name)
      if (a) this.emitFile({ type: 'asset', fileName: a.fileName, source: a.source })
    },
  }
}

export default {
  plugins: [vue({ features: { optionsAPI: false } }), vike(), adminStylesApart(), precompress()],
  build: { target: 'es2022', reportCompressedSize: false, cssCodeSplit: false },
} satisfies UserConfig
