import { randomUUID } from 'node:crypto';
import type { DocentServices, Feedback } from '../../commands/services.js';
import type { Invoker } from '../../commands/types.js';
import type { AdmissionControl } from '../core/answer/admission.js';
import type { AnswerPipeline } from '../core/answer/answer-pipeline.js';
import type { DocentError } from '../core/errors.js';
import type { FallbackChain } from '../core/answer/fallback-chain.js';
import type { AnswerPart, Question } from '../core/answer/types.js';
import type { DocentConfig } from '../../config/schema.js';
import type { ActivityLog } from './activity-log.js';
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
    ask(question: Question) {
      const answerId = randomUUID();
      return { answerId, parts: recorded(answerId, question, admitted(deps.admission, question, () => deps.pipeline.answer(question)), deps.activity) };
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
        lastRuns: deps.reindex.lastRuns().map(({ trigger, finishedAt, ok, summary }) => ({ trigger, finishedAt, ok, summary })),
      };
    },
    async sources() {
      const m = deps.search().manifest;
      return { sources: Object.entries(m.perSource).map(([source, n]) => ({ source, ...n })) };
    },
    reindex: (onProgress) => deps.reindex.run('admin', onProgress),
    isAdmin(invoker: Invoker) {
      // Whoever runs the console is the operator of this process.
      if (invoker.platform === 'console') return true;
      return admins.has(invoker.userId) || invoker.roleIds.some((r) => adminRoles.has(r));
    },
    scopeFor(channelId) {
      return channelId ? deps.config.channelSources[channelId] : undefined;
    },
    recordFeedback: (f: Feedback) => deps.activity.recordFeedback(f),
  };
}

function scheduleInfo(s: ReindexSchedule | undefined) {
  return s ? { expression: s.expression, timezone: s.timezone, nextRun: s.nextRun()?.toISOString() ?? null } : null;
}

/** Waits for an answer slot; a refused question gets one polite `busy` error part instead of an answer. */
async function* admitted(admission: AdmissionControl, question: Question, answer: () => AsyncIterable<AnswerPart>): AsyncGenerator<AnswerPart> {
  let release: () => void;
  try {
    release = await admission.admit(question.askerId);
  } catch (err) {
    yield { type: 'error', error: err as DocentError };
    return;
  }
  try {
    yield* answer();
  } finally {
    release();
  }
}

/** Passes the parts through and records the finished answer (question, backend, citations). */
async function* recorded(answerId: string, question: Question, parts: AsyncIterable<AnswerPart>, log: ActivityLog): AsyncGenerator<AnswerPart> {
  for await (const part of parts) {
    if (part.type === 'finish') {
      const i = part.info;
      await log.recordAnswer({
        answerId, at: new Date().toISOString(), question: question.text, searchQuery: i.searchQuery, backend: i.backend,
        cached: i.cached, notFound: i.notFound, citations: i.citations.map(({ n, title, sourceId, page }) => ({ n, title, sourceId, page })),
      });
    }
    yield part;
  }
}
