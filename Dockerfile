# One image for the five Eventline services; docker-compose.yml picks the entry
# point (`node <service>/dist/…`). The build stage compiles every workspace with
# the dev dependencies; the runtime stage has the compiled output and production
# dependencies only (npm ci --omit=dev): no TypeScript, tsx, vite or vitest.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY kit/package.json kit/
COPY infra/package.json infra/
COPY testkit/package.json testkit/
COPY sdk/package.json sdk/
COPY ingest/package.json ingest/
COPY consumer/package.json consumer/
COPY rollup/package.json rollup/
COPY dashboard/package.json dashboard/
COPY demo-site/package.json demo-site/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/contract/package.json contract/
COPY --from=build /app/kit/package.json kit/
COPY --from=build /app/infra/package.json infra/
COPY --from=build /app/testkit/package.json testkit/
COPY --from=build /app/sdk/package.json sdk/
COPY --from=build /app/ingest/package.json ingest/
COPY --from=build /app/consumer/package.json consumer/
COPY --from=build /app/rollup/package.json rollup/
COPY --from=build /app/dashboard/package.json dashboard/
COPY --from=build /app/demo-site/package.json demo-site/
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/contract/dist contract/dist
COPY --from=build /app/kit/dist kit/dist
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/ingest/dist ingest/dist
COPY --from=build /app/consumer/dist consumer/dist
COPY --from=build /app/rollup/dist rollup/dist
COPY --from=build /app/dashboard/dist dashboard/dist
COPY --from=build /app/demo-site/dist demo-site/dist
COPY --from=build /app/demo-site/public demo-site/public
USER node
