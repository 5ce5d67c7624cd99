import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import vue from '@vitejs/plugin-vue'
import vike from 'vike/plugin'
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

export default {
  plugins: [vue({ features: { optionsAPI: false } }), vike(), precompress()],
  build: { target: 'es2022', reportCompressedSize: false, cssCodeSplit: false },
} satisfies UserConfig
