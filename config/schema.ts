import cron from 'node-cron';
import { z } from 'zod';

/**
 * The one typed configuration object. Values come from config/default.yaml, then an optional profile file
 * (config/<DOCENT_PROFILE>.yaml), then environment variables, then explicit CLI options — later wins.
 * Every key that an environment variable can set is listed in ENV_KEYS (and in .env.example).
 */

const embedderProvider = z.enum(['auto', 'transformers', 'hf-api', 'ollama', 'word-vectors', 'hash']);
const rerankerProvider = z.enum(['auto', 'none', 'word-vectors', 'transformers', 'tei']);
/** An http(s) URL; zod's plain url() would also accept "host:8000" (scheme "host"). */
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+/i, { message: 'must be an http(s) URL such as http://127.0.0.1:8000' });
/** A yes/no switch; from the environment it arrives as "1"/"0" (or true/false, yes/no, on/off). */
const flag = z.preprocess(
  (v) => (typeof v === 'string' ? ({ 1: true, true: true, yes: true, on: true, 0: false, false: false, no: false, off: false } as Record<string, boolean>)[v.trim().toLowerCase()] ?? v : v),
  z.boolean({ message: 'must be 1 or 0 (true or false)' }),
);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const configSchema = z
  .object({
    dataDir: z.string().min(1),
    sources: z.array(z.string().min(1)),
    loader: z
      .object({
        maxFileMb: z.number().positive(),
        fetchTimeoutMs: z.number().int().positive(),
        /** Timeout for reading one local file (a hung network mount, a file swapped for a pipe). */
        readTimeoutMs: z.number().int().positive(),
        /** Parsing runs in a worker thread; a file over one of these limits is skipped with the reason. */
        parseTimeoutMs: z.number().int().min(1000, { message: 'must be at least 1000 (1 s)' }),
        /** Below ~64 MB the worker cannot even load the PDF parser. */
        parseMaxMemoryMb: z.number().int().min(64, { message: 'must be at least 64 (MB)' }).max(65536),
        pdfMaxPages: z.number().int().min(1),
        /** Fetch URL sources from private, loopback, link-local and metadata addresses too (off: refused). */
        fetchAllowPrivate: flag,
        /** Hosts URL sources may be fetched from even at such addresses: "host", "*.domain", "host:port", IP, CIDR. */
        fetchAllowHosts: z.array(z.string().min(1)),
      })
      .strict(),
    chunking: z
      .object({
        size: z.number().int().min(200).max(8000),
        recordSize: z.number().int().min(200).max(20000),
        overlap: z.number().int().min(0),
      })
      .strict()
      .refine((c) => c.overlap < c.size / 2, { message: 'must be less than half of chunking.size', path: ['overlap'] }),
    embedder: z
      .object({
        provider: embedderProvider,
        model: z.string().min(1),
        hfModel: z.string().min(1),
        ollamaModel: z.string().min(1),
        batchSize: z.number().int().min(1).max(1024),
        /** How long `auto` waits for the transformers model to load/download before falling back. */
        autoTimeoutMs: z.number().int().positive(),
      })
      .strict(),
    chroma: z
      .object({
        url: httpUrl.or(z.literal('')),
        authToken: z.string(),
        authHeader: z.enum(['Authorization', 'X-Chroma-Token']),
        tenant: z.string().min(1),
        database: z.string().min(1),
      })
      .strict(),
    retrieval: z
      .object({
        k: z.number().int().min(1).max(100),
        candidates: z.number().int().min(1).max(500),
        fusion: z.enum(['rrf', 'score', 'rrf-within-keyword']),
        rrfK: z.number().min(1),
        /** Weight of the vector list in fusion (keyword list weight is 1); auto: by embedder, see the README. */
        // VECTOR_WEIGHT arrives as a string: a number or "auto".
        vectorWeight: z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && v !== 'auto' && Number.isFinite(Number(v)) ? Number(v) : v), z.number().min(0).max(10).or(z.literal('auto'))),
        maxPerDocument: z.number().int().min(1),
        dedupThreshold: z.number().min(0.5).max(1),
        reranker: rerankerProvider,
        rerankModel: z.string().min(1),
        rerankUrl: httpUrl.or(z.literal('')),
        /** Bearer token for RERANK_URL; HF_TOKEN is used instead only for a Hugging Face host over https. */
        rerankToken: z.string(),
        rerankCandidates: z.number().int().min(1).max(200),
      })
      .strict()
      // A tei reranker without an endpoint would fail every question; say so at start-up instead.
      .refine((r) => r.reranker !== 'tei' || r.rerankUrl !== '', { message: 'is required when RERANKER=tei (the TEI server, e.g. http://127.0.0.1:8080)', path: ['rerankUrl'] }),
    answer: z
      .object({
        /** Backends in order; `auto` = every configured LLM (HF token, OpenAI-compatible URL, OLLAMA_HOST) then extractive. */
        chain: z.union([z.literal('auto'), z.array(z.enum(['hf', 'openai', 'ollama', 'extractive'])).min(1)]),
        catalogName: z.string().min(1),
        k: z.number().int().min(1).max(20),
        maxTokens: z.number().int().min(16).max(8192),
        temperature: z.number().min(0).max(2),
        historyTurns: z.number().int().min(0).max(50),
        maxPassageChars: z.number().int().min(200).max(20000),
        minVectorScore: z.number().min(-1).max(1),
        minCoverage: z.number().min(0).max(1),
        minWeightedCoverage: z.number().min(0).max(1),
        rewriteTimeoutMs: z.number().int().positive(),
        firstTokenTimeoutMs: z.number().int().positive(),
        totalTimeoutMs: z.number().int().positive(),
        retries: z.number().int().min(0).max(5),
        breakerFailures: z.number().int().min(1),
        breakerCooldownMs: z.number().int().positive(),
        cacheTtlSeconds: z.number().int().min(0),
        cacheMaxEntries: z.number().int().min(0),
        maxConcurrent: z.number().int().min(1).max(1000),
        maxQueued: z.number().int().min(0).max(100_000),
        perUserLimit: z.number().int().min(1).max(1000),
        /** Longest a question waits in the queue before it is told to try again, ms; 0: no bound. */
        maxQueueWaitMs: z.number().int().min(0).max(3_600_000),
      })
      .strict(),
    llm: z
      .object({
        hfModel: z.string().min(1),
        hfProvider: z.string(),
        hfEndpointUrl: httpUrl.or(z.literal('')),
        openaiBaseUrl: httpUrl.or(z.literal('')),
        openaiApiKey: z.string(),
        openaiModel: z.string(),
        ollamaModel: z.string().min(1),
      })
      .strict(),
    server: z
      .object({
        /** The status page, /healthz, /readyz and /metrics while `docent start` serves platforms; 0: off. */
        port: z.number().int().min(0).max(65535),
        /** Interface to bind: 127.0.0.1 (this machine only) by default; 0.0.0.0 under the Space profile. */
        host: z.string().min(1),
        /** STATUS_TOKEN: when set, /metrics and the status page's details need `Authorization: Bearer <token>`. */
        token: z.string().refine((t) => t === '' || /^[\x21-\x7e]{16,}$/.test(t), { message: 'must be empty or at least 16 printable characters without spaces (e.g. `openssl rand -hex 32`)' }),
        /** CSP frame-ancestors: who may frame the pages. 'none' by default; the Space profile allows huggingface.co. */
        frameAncestors: z.string().regex(/^('none'|'self'|https:\/\/[a-z0-9.*-]+(:\d+)?)( ('self'|https:\/\/[a-z0-9.*-]+(:\d+)?))*$/, { message: "must be 'none', 'self' or https origins separated by spaces" }),
      })
      .strict(),
    /** The web chat API (POST /api/ask, /api/feedback) on the HTTP server; see src/server/chat-api.ts. */
    web: z
      .object({
        /** on: `docent start` serves the web chat API (and stays up without any chat platform token); off: not served. */
        chat: z.enum(['on', 'off']),
        /** WEB_CHAT_TOKEN: when set, /api/* needs `Authorization: Bearer <token>` (a private catalog). */
        token: z.string().refine((t) => t === '' || /^[\x21-\x7e]{16,}$/.test(t), { message: 'must be empty or at least 16 printable characters without spaces (e.g. `openssl rand -hex 32`)' }),
        /** WEB_CHAT_CORS_ORIGIN: empty sends no CORS headers (same-origin page only); else that origin, or `*`. */
        corsOrigin: z.string().refine((o) => o === '' || o === '*' || /^https?:\/\/[^\s/]+$/i.test(o), { message: 'must be empty, * or an origin such as https://example.org (no path)' }),
        /** Questions a client (an IP address) may ask per minute, on average (a token bucket). */
        ratePerMinute: z.number().positive().max(10_000),
        /** How many questions a client may ask at once before the per-minute rate applies. */
        rateBurst: z.number().int().min(1).max(1_000),
        /**
         * Reverse proxies in front of Docent that append to X-Forwarded-For (the Space's proxy: 1). 0: the client is
         * the connection's address. With n, the client is the n-th address from the right (what the nearest trusted
         * proxy saw), so a client cannot pick its own rate-limit bucket by sending the header.
         */
        trustProxyHops: z.number().int().min(0).max(10),
      })
      .strict(),
    reindex: z
      .object({
        /** node-cron expression (5 or 6 fields); empty: no schedule. */
        schedule: z.string().refine((e) => e === '' || cron.validate(e), { message: 'is not a valid cron expression (e.g. "0 3 * * *" for 03:00 daily)' }),
        /** IANA time zone the schedule is read in. */
        timezone: z.string().min(1),
        /** How long a replica's claim on one scheduled run lasts (other replicas skip that run). */
        leaseMinutes: z.number().int().min(1).max(24 * 60),
      })
      .strict(),
    discord: z
      .object({
        token: z.string(),
        clientId: z.string(),
        /** Guild that `docent discord deploy-commands` targets by default (development); empty: global. */
        guildId: z.string(),
        /** How often a streaming answer is edited in place. */
        editIntervalMs: z.number().int().min(250).max(10_000),
        /** Thread messages used as conversation history. */
        historyMessages: z.number().int().min(0).max(100),
        /** REST API base URL (discord.js `rest.api`); empty: https://discord.com/api. For a proxy, or a loopback fake in tests. */
        apiUrl: httpUrl.or(z.literal('')),
        /**
         * With a shared Chroma server (CHROMA_URL), replicas elect one gateway session per bot token: the holder
         * renews its lease this often ÷ 3, and a standby takes over once it has not for this long.
         */
        gatewayLeaseMs: z.number().int().min(1000).max(600_000),
      })
      .strict(),
    slack: z
      .object({
        botToken: z.string(),
        /** App-level token (xapp-…) for Socket Mode. */
        appToken: z.string(),
        /** Signing secret for the HTTP transport (requests are verified with it). */
        signingSecret: z.string(),
        /** socket (default: no public URL needed) or http (Events API + slash command over HTTPS). */
        mode: z.enum(['socket', 'http']),
        /** Port of the HTTP transport. */
        port: z.number().int().min(1).max(65535),
        /** native: chat.startStream/appendStream/stopStream; update: placeholder + chat.update; auto: native, else update. */
        streaming: z.enum(['auto', 'native', 'update']),
        updateIntervalMs: z.number().int().min(250).max(10_000),
        historyMessages: z.number().int().min(0).max(100),
        /** Web API base URL; empty: https://slack.com/api/. GovSlack workspaces use https://slack-gov.com/api/. */
        apiUrl: httpUrl.or(z.literal('')),
      })
      .strict(),
    admin: z
      .object({
        /** Platform user ids allowed to run admin commands (reindex). */
        userIds: z.array(z.string()),
        /** Discord role ids whose members may run admin commands. */
        roleIds: z.array(z.string()),
      })
      .strict(),
    /**
     * Per-channel scoping: channel id → sources (source roots, or full source ids `root/path`) its questions may
     * use; `default` covers unlisted channels and DMs (without it they get no catalog); `*` is the whole catalog;
     * `[]` no catalog. Empty map: every channel sees the whole catalog.
     */
    channelSources: z.record(z.string(), z.array(z.string().min(1))),
    /** The activity log (answers and feedback under <dataDir>/activity/). */
    activity: z
      .object({
        /** Records older than this many days are dropped (at start and daily). */
        retentionDays: z.number().int().min(1).max(36_500),
        /** on: store a keyed hash of user ids; off: the raw ids. */
        hashUsers: z.enum(['on', 'off']),
        /** Key for the user-id hash; empty: a random per-install key kept in <dataDir>/activity/user-hash.key. */
        hashKey: z.string(),
      })
      .strict(),
    hf: z.object({ token: z.string() }).strict(),
    /** Empty: no Ollama configured (the ollama embedder then assumes http://127.0.0.1:11434). */
    ollama: z.object({ host: httpUrl.or(z.literal('')) }).strict(),
    log: z.object({ level: logLevel, pretty: z.enum(['auto', 'always', 'never']) }).strict(),
  })
  .strict();

export type DocentConfig = z.infer<typeof configSchema>;

/** Environment variable → config path, with how to parse it. Source of truth for .env.example. */
export const ENV_KEYS: Record<string, { path: string; kind: 'string' | 'number' | 'list' | 'json' }> = {
  DATA_DIR: { path: 'dataDir', kind: 'string' },
  SOURCES: { path: 'sources', kind: 'list' },
  HTTP_FRAME_ANCESTORS: { path: 'server.frameAncestors', kind: 'string' },
  LOADER_MAX_FILE_MB: { path: 'loader.maxFileMb', kind: 'number' },
  LOADER_FETCH_TIMEOUT_MS: { path: 'loader.fetchTimeoutMs', kind: 'number' },
  LOADER_READ_TIMEOUT_MS: { path: 'loader.readTimeoutMs', kind: 'number' },
  LOADER_PARSE_TIMEOUT_MS: { path: 'loader.parseTimeoutMs', kind: 'number' },
  LOADER_PARSE_MAX_MEMORY_MB: { path: 'loader.parseMaxMemoryMb', kind: 'number' },
  LOADER_PDF_MAX_PAGES: { path: 'loader.pdfMaxPages', kind: 'number' },
  FETCH_ALLOW_PRIVATE: { path: 'loader.fetchAllowPrivate', kind: 'string' },
  FETCH_ALLOW_HOSTS: { path: 'loader.fetchAllowHosts', kind: 'list' },
  CHUNK_SIZE: { path: 'chunking.size', kind: 'number' },
  CHUNK_OVERLAP: { path: 'chunking.overlap', kind: 'number' },
  CHUNK_RECORD_SIZE: { path: 'chunking.recordSize', kind: 'number' },
  EMBEDDER: { path: 'embedder.provider', kind: 'string' },
  EMBEDDING_MODEL: { path: 'embedder.model', kind: 'string' },
  HF_EMBEDDING_MODEL: { path: 'embedder.hfModel', kind: 'string' },
  OLLAMA_EMBEDDING_MODEL: { path: 'embedder.ollamaModel', kind: 'string' },
  EMBEDDING_BATCH_SIZE: { path: 'embedder.batchSize', kind: 'number' },
  CHROMA_URL: { path: 'chroma.url', kind: 'string' },
  CHROMA_AUTH_TOKEN: { path: 'chroma.authToken', kind: 'string' },
  CHROMA_AUTH_HEADER: { path: 'chroma.authHeader', kind: 'string' },
  CHROMA_TENANT: { path: 'chroma.tenant', kind: 'string' },
  CHROMA_DATABASE: { path: 'chroma.database', kind: 'string' },
  SEARCH_K: { path: 'retrieval.k', kind: 'number' },
  FUSION: { path: 'retrieval.fusion', kind: 'string' },
  VECTOR_WEIGHT: { path: 'retrieval.vectorWeight', kind: 'string' },
  RERANKER: { path: 'retrieval.reranker', kind: 'string' },
  RERANK_MODEL: { path: 'retrieval.rerankModel', kind: 'string' },
  RERANK_URL: { path: 'retrieval.rerankUrl', kind: 'string' },
  RERANK_TOKEN: { path: 'retrieval.rerankToken', kind: 'string' },
  LLM_CHAIN: { path: 'answer.chain', kind: 'list' },
  CATALOG_NAME: { path: 'answer.catalogName', kind: 'string' },
  ANSWER_K: { path: 'answer.k', kind: 'number' },
  ANSWER_MAX_TOKENS: { path: 'answer.maxTokens', kind: 'number' },
  // The not-found gate, to recalibrate for another embedder with `npm run eval -- --answers`.
  ANSWER_MIN_VECTOR_SCORE: { path: 'answer.minVectorScore', kind: 'number' },
  ANSWER_MIN_COVERAGE: { path: 'answer.minCoverage', kind: 'number' },
  ANSWER_MIN_WEIGHTED_COVERAGE: { path: 'answer.minWeightedCoverage', kind: 'number' },
  LLM_FIRST_TOKEN_TIMEOUT_MS: { path: 'answer.firstTokenTimeoutMs', kind: 'number' },
  LLM_TOTAL_TIMEOUT_MS: { path: 'answer.totalTimeoutMs', kind: 'number' },
  ANSWER_CACHE_TTL_SECONDS: { path: 'answer.cacheTtlSeconds', kind: 'number' },
  ANSWER_MAX_CONCURRENT: { path: 'answer.maxConcurrent', kind: 'number' },
  ANSWER_MAX_QUEUED: { path: 'answer.maxQueued', kind: 'number' },
  ANSWER_PER_USER_LIMIT: { path: 'answer.perUserLimit', kind: 'number' },
  ANSWER_MAX_QUEUE_WAIT_MS: { path: 'answer.maxQueueWaitMs', kind: 'number' },
  HF_CHAT_MODEL: { path: 'llm.hfModel', kind: 'string' },
  HF_PROVIDER: { path: 'llm.hfProvider', kind: 'string' },
  HF_ENDPOINT_URL: { path: 'llm.hfEndpointUrl', kind: 'string' },
  OPENAI_BASE_URL: { path: 'llm.openaiBaseUrl', kind: 'string' },
  OPENAI_API_KEY: { path: 'llm.openaiApiKey', kind: 'string' },
  OPENAI_MODEL: { path: 'llm.openaiModel', kind: 'string' },
  OLLAMA_CHAT_MODEL: { path: 'llm.ollamaModel', kind: 'string' },
  HTTP_PORT: { path: 'server.port', kind: 'number' },
  HTTP_HOST: { path: 'server.host', kind: 'string' },
  STATUS_TOKEN: { path: 'server.token', kind: 'string' },
  WEB_CHAT: { path: 'web.chat', kind: 'string' },
  WEB_CHAT_TOKEN: { path: 'web.token', kind: 'string' },
  WEB_CHAT_CORS_ORIGIN: { path: 'web.corsOrigin', kind: 'string' },
  WEB_CHAT_RATE_PER_MINUTE: { path: 'web.ratePerMinute', kind: 'number' },
  WEB_CHAT_RATE_BURST: { path: 'web.rateBurst', kind: 'number' },
  WEB_CHAT_TRUST_PROXY_HOPS: { path: 'web.trustProxyHops', kind: 'number' },
  REINDEX_SCHEDULE: { path: 'reindex.schedule', kind: 'string' },
  REINDEX_TIMEZONE: { path: 'reindex.timezone', kind: 'string' },
  DISCORD_TOKEN: { path: 'discord.token', kind: 'string' },
  DISCORD_CLIENT_ID: { path: 'discord.clientId', kind: 'string' },
  DISCORD_GUILD_ID: { path: 'discord.guildId', kind: 'string' },
  DISCORD_EDIT_INTERVAL_MS: { path: 'discord.editIntervalMs', kind: 'number' },
  DISCORD_API_URL: { path: 'discord.apiUrl', kind: 'string' },
  DISCORD_GATEWAY_LEASE_MS: { path: 'discord.gatewayLeaseMs', kind: 'number' },
  SLACK_BOT_TOKEN: { path: 'slack.botToken', kind: 'string' },
  SLACK_APP_TOKEN: { path: 'slack.appToken', kind: 'string' },
  SLACK_SIGNING_SECRET: { path: 'slack.signingSecret', kind: 'string' },
  SLACK_MODE: { path: 'slack.mode', kind: 'string' },
  PORT: { path: 'slack.port', kind: 'number' },
  SLACK_STREAMING: { path: 'slack.streaming', kind: 'string' },
  SLACK_API_URL: { path: 'slack.apiUrl', kind: 'string' },
  ADMIN_USER_IDS: { path: 'admin.userIds', kind: 'list' },
  ADMIN_ROLE_IDS: { path: 'admin.roleIds', kind: 'list' },
  CHANNEL_SOURCES: { path: 'channelSources', kind: 'json' },
  ACTIVITY_RETENTION_DAYS: { path: 'activity.retentionDays', kind: 'number' },
  ACTIVITY_HASH_USERS: { path: 'activity.hashUsers', kind: 'string' },
  ACTIVITY_HASH_KEY: { path: 'activity.hashKey', kind: 'string' },
  HF_TOKEN: { path: 'hf.token', kind: 'string' },
  OLLAMA_HOST: { path: 'ollama.host', kind: 'string' },
  LOG_LEVEL: { path: 'log.level', kind: 'string' },
  LOG_PRETTY: { path: 'log.pretty', kind: 'string' },
};
