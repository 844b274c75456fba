import { randomUUID } from 'node:crypto';
import type { AnswerSurface, DocentServices, Feedback } from '../../commands/services.js';
import type { Invoker } from '../../commands/invoker.js';
import type { AdmissionControl } from '../core/answer/admission.js';
import type { AnswerPipeline } from '../core/answer/answer-pipeline.js';
import { DocentError } from '../core/errors.js';
import { redactUrl, redactUrlsInText } from '../core/redact-url.js';
import type { FallbackChain } from '../core/answer/fallback-chain.js';
import type { AnswerPart, FinishInfo, Question } from '../core/answer/types.js';
import type { DocentConfig } from '../../config/schema.js';
import type { ActivityLog } from './activity-log.js';
import { guessSurface } from './answer-surface.js';
import { redactSummary } from '../indexing/redact-loaded.js';
import { resolveChannelScope } from '../core/channel-scope.js';
import { cleanQuestionText } from '../core/text/question-text.js';
import type { ReindexRunner } from './reindex-runner.js';
import type { ReindexSchedule } from './reindex-schedule.js';
import type { SearchService } from './search-service.js';

/** The running Docent as commands and adapters see it (the DocentServices port). */
export function createDocentServices(deps: {
  config: DocentConfig;
  pipeline: AnswerPipeline;
  chain: FallbackChain;
  search: () => SearchService;
  embedder: { id: string; fallback: boolean };
  activity: ActivityLog;
  reindex: ReindexRunner;
  schedule: () => ReindexSchedule | undefined;
  admission: AdmissionControl;
}): DocentServices {
  const admins = new Set(deps.config.admin.userIds);
  const adminRoles = new Set(deps.config.admin.roleIds);
  return {
    ask(asked: Question, opts?: { signal?: AbortSignal; surface?: AnswerSurface; maxWaitMs?: number }) {
      const answerId = randomUUID();
      // Every surface's questions enter here: cleaned once of control characters before they are searched,
      // logged or recorded (core/text/question-text.ts).
      const question = { ...asked, text: cleanQuestionText(asked.text) };
      // Nothing left once the control characters are gone: nothing to search, nothing to record.
      if (!question.text) return { answerId, parts: emptyQuestion() };
      // A channel scoped to nothing searches nothing (CHANNEL_SOURCES without a `default` for it).
      if (question.sources?.length === 0) return { answerId, parts: noCatalog(question) };
      const signal = opts?.signal ?? new AbortController().signal;
      const surface = opts?.surface ?? guessSurface(question.askerId);
      return { answerId, parts: recorded(answerId, question, surface, admitted(deps.admission, question, signal, opts?.maxWaitMs, () => deps.pipeline.answer(question, signal)), deps.activity) };
    },
    async status() {
      const m = deps.search().manifest;
      return {
        documents: m.documents, chunks: m.chunks, indexVersion: m.version, builtAt: m.builtAt, checkedAt: m.checkedAt,
        embedder: deps.embedder,
        backends: deps.chain.status().map((b) => ({ id: b.backend, healthy: b.state !== 'open', state: b.state })),
        ...deps.activity.counts(),
        reindexRunning: deps.reindex.running,
        schedule: scheduleInfo(deps.schedule()),
        // Redacted again here: a manifest or run history written before URLs were redacted may still hold keys.
        lastRuns: deps.reindex.lastRuns().map(({ trigger, finishedAt, ok, summary }) => ({ trigger, finishedAt, ok, summary: redactUrlsInText(summary) })),
      };
    },
    async sources() {
      const m = deps.search().manifest;
      return { sources: Object.entries(m.perSource).map(([source, n]) => ({ source: redactUrl(source), ...n })) };
    },
    // Redacted here, once, so no surface can post a source URL's key (commands/reindex.ts shows it in a channel).
    reindex: async (onProgress) => redactSummary(await deps.reindex.run('admin', onProgress)),
    isAdmin(invoker: Invoker) {
      // Whoever runs the console is the operator of this process.
      if (invoker.platform === 'console') return true;
      return admins.has(invoker.userId) || invoker.roleIds.some((r) => adminRoles.has(r));
    },
    scopeFor(channelId) {
      // Indexed source roots are stored redacted (indexing/redact-loaded.ts); a scope naming a URL must match them.
      return resolveChannelScope(deps.config.channelSources, channelId)?.map(redactUrl);
    },
    recordFeedback: (f: Feedback) => deps.activity.recordFeedback(f),
  };
}

function scheduleInfo(s: ReindexSchedule | undefined) {
  return s ? { expression: s.expression, timezone: s.timezone, nextRun: s.nextRun()?.toISOString() ?? null } : null;
}

/**
 * Waits for an answer slot; a refused question gets one polite `busy` error part instead of an answer. A question
 * abandoned (its signal aborted) while it waits leaves the queue and ends without a part.
 */
async function* admitted(
  admission: AdmissionControl, question: Question, signal: AbortSignal, maxWaitMs: number | undefined, answer: () => AsyncIterable<AnswerPart>,
): AsyncGenerator<AnswerPart> {
  let release: () => void;
  try {
    release = await admission.admit(question.askerId, signal, maxWaitMs);
  } catch (err) {
    if (signal.aborted) return;
    yield { type: 'error', error: err as DocentError };
    return;
  }
  try {
    yield* answer();
  } finally {
    release();
  }
}

/**
 * Passes the parts through and records the finished answer (question, backend, citations) after its `finish`
 * part has been passed on: recording can neither delay nor break the answer (ActivityLog never throws). The
 * answer is made known first, so a 👍 clicked the moment the buttons appear counts. A question that ends in an
 * `error` part (busy, every backend failed) is recorded too, as a failure, for `docent insights`' error rate.
 */
async function* recorded(answerId: string, question: Question, surface: AnswerSurface, parts: AsyncIterable<AnswerPart>, log: ActivityLog): AsyncGenerator<AnswerPart> {
  let finished: FinishInfo | undefined;
  let failed: string | undefined;
  let at = '';
  try {
    for await (const part of parts) {
      if (part.type === 'finish') {
        finished = part.info;
        at = new Date().toISOString();
        log.announce(answerId, at);
      } else if (part.type === 'error') failed ??= part.error.code;
      yield part;
    }
  } finally {
    const i = finished;
    if (i) {
      log.recordAnswer({
        answerId, at, question: question.text, searchQuery: i.searchQuery, backend: i.backend, cached: i.cached, notFound: i.notFound,
        citations: i.citations.map(({ n, title, sourceId, page, url }) => ({ n, title, sourceId, page, url })),
        surface, fallbacks: i.fallbacks.map((f) => f.backend), ...(i.nearest?.length ? { nearest: i.nearest } : {}),
      }, question.askerId);
    } else if (failed) {
      log.recordAnswer({ answerId, at: new Date().toISOString(), question: question.text, searchQuery: question.text, backend: 'none', cached: false, notFound: false, citations: [], surface, error: failed }, question.askerId);
    }
  }
}

/** A question with no words (only control characters, or blank): one polite error part. */
async function* emptyQuestion(): AsyncGenerator<AnswerPart> {
  yield { type: 'error', error: new DocentError('empty_question', 'user', 'that question has no words in it.', { hint: 'Please type your question.' }) };
}

/** The answer in a channel that may search nothing: said politely, nothing searched, nothing recorded. */
async function* noCatalog(question: Question): AsyncGenerator<AnswerPart> {
  const text = "This channel has no catalog to search, so I can't answer here. Please ask in a channel that has one, or ask an administrator to give this channel sources.";
  yield { type: 'sources', passages: [] };
  yield { type: 'text-delta', text };
  yield {
    type: 'finish',
    info: {
      finishReason: 'stop', text, citations: [], backend: 'none', fallbacks: [], degraded: [], cached: false, notFound: true,
      searchQuery: question.text, timings: { retrievalMs: 0, firstTokenMs: null, totalMs: 0 },
    },
  };
}
