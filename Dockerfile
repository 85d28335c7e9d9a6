# Image for the worker and the webhook server (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY . .
RUN npx --no-install prisma generate
USER node
EXPOSE 3000
CMD ["node", "bin/jiuzhu.js", "server"]
