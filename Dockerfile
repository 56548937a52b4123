# Production image of the API. Written to the stack the project is tested on (Node 20,
# Debian bookworm); not built on the development machines, which have no Docker engine
# (README, "Containers"). docker-compose.yml runs two of these on PostgreSQL and Redis.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN NX_DAEMON=false npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/api ./dist/apps/api
# The operator console (static files), served by the API at /console from beside its own build.
COPY --from=build /app/dist/apps/console ./dist/apps/console
# The default SQLite database (DATABASE_URL unset) lives in /app/data: writable by the process; mount a volume there to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Ready = the database answers and the migrations are applied (Viatom's circuit never makes it unready).
# The start period covers waiting for the database (DATABASE_CONNECT_TIMEOUT_MS, 60 s by default) and the migrations.
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1 gets SIGTERM from `docker stop` and drains (main.ts); the runtime's init (compose: init: true) reaps children.
CMD ["node", "dist/apps/api/main.js"]
