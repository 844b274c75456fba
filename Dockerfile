# Docent on a Hugging Face Docker Space (or any container host).
# Debian bookworm's glibc (2.36) matches the Chroma binding pinned in package.json.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    DATA_DIR=/data/docent \
    ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app

# Dependencies first, so code changes do not invalidate the npm layer. `npm ci` runs `prepare` (the build).
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY src ./src
COPY commands ./commands
COPY bin ./bin
RUN npm ci && npm prune --omit=dev --ignore-scripts

COPY data ./data

# Spaces run containers as uid 1000; give it the data dir. Without paid persistent storage /data is ephemeral,
# so pull the models into the image (build has network) where `docent index` will look for them.
RUN mkdir -p /data/docent && chown -R 1000:1000 /data /app
USER 1000
ARG PULL_MODELS=1
RUN if [ "$PULL_MODELS" = "1" ]; then node bin/docent.js models pull; fi

EXPOSE 7860
ENTRYPOINT ["node", "bin/docent.js"]
# The main job: the configured chat platforms (set DISCORD_TOKEN etc. as Space secrets); it indexes first
# when the data dir has no index.
CMD ["start"]
