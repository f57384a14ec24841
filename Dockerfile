# One image for the four Eventline services; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY kit/package.json kit/
COPY infra/package.json infra/
COPY sdk/package.json sdk/
COPY ingest/package.json ingest/
COPY consumer/package.json consumer/
COPY dashboard/package.json dashboard/
COPY demo-site/package.json demo-site/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build --workspaces --if-present
ENV NODE_ENV=production
USER node
