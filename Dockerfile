# Sluice container image: the same image runs a front tier (network inputs → jetstream output) or a worker
# (jetstream/s3 input → filters → outputs). Workers need no writable disk: run them with a read-only root
# filesystem. Pipelines are mounted at /etc/sluice (pipelines.yml plus the .conf files it names).
#
#   docker build -t sluice .
#   docker run --rm -v "$PWD/examples:/etc/sluice:ro" sluice check --pipelines /etc/sluice/pipelines.yml

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY src ./src
COPY test ./test
RUN npx tsc -p . && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SLUICE_DATA=/var/lib/sluice
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
COPY bin ./bin
COPY patterns ./patterns
COPY examples ./examples
# Nothing is written under /app; SLUICE_DATA is only used by pipelines that keep local state (file input
# checkpoints, the embedded default's lake). Workers reading from JetStream or S3 never touch it.
USER node
# bin/sluice.js starts node with the flags Sluice runs best with (see the file).
ENTRYPOINT ["/app/bin/sluice.js"]
CMD ["run", "--pipelines", "/etc/sluice/pipelines.yml"]
