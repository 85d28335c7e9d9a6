# Image for the worker and the webhook server (see docker-compose.yml).
# Stage 1 installs everything from the committed lock (npm ci only), generates the Prisma client and
# compiles to dist/ (npm run build); stage 2 keeps the production packages and the compiled code,
# which bin/jiuzhu.js runs (tsx stays installed as the fallback for a stale dist/).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx --no-install prisma generate \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "bin/jiuzhu.js", "server"]
