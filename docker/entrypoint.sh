#!/bin/sh
# Container entrypoint (run by tini as PID 1; see Dockerfile).
#   serve    (default) start the server: it applies pending migrations under a PostgreSQL
#            advisory lock, so replicas starting together are safe, then listens on PORT.
#   migrate  apply pending migrations with sequelize-cli and exit. Run it once per deploy
#            (docker-compose.yml does, before the app replicas start): sequelize-cli itself takes
#            no lock, so it is not run by every replica.
#   admin    grant or take the admin role: `admin grant <email>` / `admin revoke <email>`.
#   anything else is executed as given, e.g. `docker compose run --rm app sh`.
set -eu
cd /app

command="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$command" in
  serve)
    # node with tsx's loader rather than the tsx CLI: one process (the CLI would spawn a child
    # node and relay signals to it), so SIGTERM from tini reaches the server directly.
    exec node --import tsx server/index.ts "$@"
    ;;
  migrate)
    exec node_modules/.bin/sequelize-cli db:migrate "$@"
    ;;
  admin)
    exec node --import tsx server/cli/admin.ts "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
