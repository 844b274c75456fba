# Docent on a Hugging Face Docker Space (or any container host).
#   docker build -t docent .                        # pulls the embedding model into the image (needs network)
#   docker build --build-arg PULL_MODELS=0 -t docent .   # no download: the word-vector embedder at run time
#   docker run -p 7860:7860 -e SLACK_BOT_TOKEN=… -e SLACK_APP_TOKEN=… [-v docent-data:/data] docent
# Both stages are Debian bookworm: glibc 2.36 matches the Chroma binding pinned in package.json, and native
# modules built in the first stage run in the second.

# ---- build: all dependencies, compile TypeScript, then drop the dev dependencies ----
FROM node:20-bookworm AS build
# The CPU ONNX runtime ships inside onnxruntime-node; its postinstall would fetch GPU parts.
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
# Dependencies first (without lifecycle scripts, which need the sources), so code changes reuse this layer.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY commands ./commands
COPY src ./src
RUN npm rebuild && npm run build && npm prune --omit=dev

# ---- runtime: production node_modules, the build, config and the sample catalog; runs as uid 1000 ----
FROM node:20-bookworm-slim AS runtime
# HTTP_HOST: outside a container Docent's HTTP server binds 127.0.0.1 by default; inside one, loopback is
# unreachable from the published port, and publishing (-p) is already the operator's explicit choice. Set
# STATUS_TOKEN to keep /metrics and the status details private on a public host.
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    HOME=/home/user \
    APP_ROOT=/app \
    HTTP_HOST=0.0.0.0
# DATA_DIR is deliberately not set here: the entrypoint picks /data/docent when persistent storage is mounted
# at /data, else $HOME/.docent (ephemeral), and an explicit DATA_DIR (docker run -e, Space variable) wins.
WORKDIR /app
# Code stays root-owned (read-only to the app); only the model seed and HOME belong to uid 1000.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY bin ./bin
COPY slack ./slack
COPY data ./data
# The web chat's browser sources: esbuild (a runtime dependency) bundles them into memory when the server starts
# (src/server/web-chat/bundle.ts); tsc does not copy the stylesheet into dist/.
COPY src/server/web-chat/client ./src/server/web-chat/client
COPY docker/entrypoint.sh /usr/local/bin/docent-entrypoint
RUN chmod 0755 /usr/local/bin/docent-entrypoint \
    && mkdir -p /home/user /app/seed && chown 1000:1000 /home/user /app/seed
# Spaces run containers as uid 1000 (the node image's `node` user; HOME is ours).
USER 1000

# The configured embedding model (and the word-vector table) into /app/seed/models; the entrypoint links it
# into the data dir, so an ephemeral disk needs no download at boot. A failed pull fails the build: set
# PULL_MODELS=0 to build without network (Docent then embeds with the no-download word vectors).
ARG PULL_MODELS=1
RUN if [ "$PULL_MODELS" = "0" ]; then \
      echo "PULL_MODELS=0: no models in the image; Docent downloads or falls back at run time"; \
    else \
      DATA_DIR=/app/seed node bin/docent.js models pull; \
    fi

# The web chat (/), the status page (/status, /healthz, /readyz, /metrics); a Space routes its URL here (app_port: 7860).
EXPOSE 7860
# exec-form, and the script `exec`s node: SIGTERM reaches Docent, whose graceful shutdown exits within 10 s.
ENTRYPOINT ["/usr/local/bin/docent-entrypoint"]
# The main job: the configured chat platforms (set DISCORD_TOKEN / SLACK_* as Space secrets); it indexes
# first when the data dir has no index.
CMD ["start"]
