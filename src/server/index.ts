/**
 * The operations HTTP surface (status page, /healthz, /readyz, /metrics) as one import for the CLI's
 * composition root, so it never reaches into the individual files.
 */
export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './http-server.js';
export { createChatApi, type ChatApiOptions } from './chat-api.js';
export { createWebChat, webChatCsp, type WebChatOptions } from './web-chat/index.js';
export { createMetrics, instrumentServices, type AnswerFailure, type AnswerOutcome, type DocentMetrics } from './metrics.js';
export { readinessCheck, CHROMA_TIMEOUT_MS, type ReadinessProbes, type ReadinessResult } from './readiness.js';
export { PlatformHealth, type PlatformReporter, type PlatformState, type PlatformStatus } from './platform-health.js';
export { renderStatusPage, escapeHtml, formatAge, type StatusPageOptions, type StatusPageReport } from './status-page.js';
