# The same Node major as the project's pinned runtime (package.json depends on node@24).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Two malloc arenas instead of one per thread: less memory at peak for the same work (README, Measured).
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
# The embedded PostgreSQL (no DATABASE_URL) keeps its files here; mount a volume on it to keep them.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# node itself, not `npm start`: SIGTERM from `docker stop` must reach the service, which npm's shell would swallow.
# The same flags as the start script in package.json (a test keeps them equal).
CMD ["node", "--max-semi-space-size=8", "--env-file-if-exists=.env", "src/main.ts"]
