// Internal: the server renders errors raised by actions through this route (server/middleware/errors.ts).
export default '/__problem'
