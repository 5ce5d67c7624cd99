// @koa/multer 4 ships no types: multer's own, with its middlewares as Koa middleware (the part we use).
declare module '@koa/multer' {
  import type { Middleware } from 'koa'
  import type { Options, StorageEngine } from 'multer'
  interface KoaMulter {
    single(field: string): Middleware
  }
  function multer(options?: Options): KoaMulter
  namespace multer {
    function memoryStorage(): StorageEngine
  }
  export default multer
}
