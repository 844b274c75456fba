/**
 * The Discord adapter's latency and edit rate, through the loopback fake Discord and the real discord.js
 * client (`npm run build && node dist/test/bench/discord-bench.js`). A scripted "LLM" streams one token every
 * 50 ms for 3 s after a 200 ms first-token delay.
 *
 *  1. 20 /ask interactions dispatched at once: time from each INTERACTION_CREATE reaching the socket to its
 *     type-5 callback at the fake (Discord's limit is 3 s): p50/p95/p99.
 *  2. LLM first token → first visible text (the first @original PATCH with content) at the fake: p50/p95,
 *     for the same 20 concurrent answers and for 10 answers one at a time.
 *  3. Edits per answer and per second, against the rate the fake's X-RateLimit headers allow.
 *
 * Everything runs in this one process, so performance.now() timestamps are comparable.
 */
import pino from 'pino';
import { RESTEvents } from 'discord.js';
import { commandList } from '../../commands/index.js';
import type { DocentServices } from '../../commands/services.js';
import { createDiscordAdapter } from '../../src/adapters/discord/index.js';
import type { AnswerPart, Question } from '../../src/core/answer/types.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/fake-discord/index.js';
import { percentile } from './stats.js';

const FIRST_TOKEN_MS = 200;
const TOKEN_GAP_MS = 50;
const STREAM_MS = 3000;
const CONCURRENT = 20;
const SEQUENTIAL = 10;
const EDIT_INTERVAL_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When each answer's first token was produced, by question text. */
const firstTokenAt = new Map<string, number>();

const services: DocentServices = {
  ask(question: Question) {
    async function* parts(): AsyncGenerator<AnswerPart> {
      yield { type: 'sources', passages: [] };
      await sleep(FIRST_TOKEN_MS);
      let text = '';
      const tokens = STREAM_MS / TOKEN_GAP_MS;
      for (let i = 0; i < tokens; i++) {
        if (i > 0) await sleep(TOKEN_GAP_MS);
        const token = `word${i}${i % 12 === 11 ? '. ' : ' '}`;
        if (i === 0) firstTokenAt.set(question.text, performance.now());
        text += token;
        yield { type: 'text-delta', text: token };
      }
      yield {
        type: 'finish',
        info: {
          text, citations: [{ n: 1, title: 'Bench record', sourceId: 'bench', url: 'https://example.org/bench', path: null, page: 1 }],
          backend: 'bench', fallbacks: [], cached: false, notFound: false, searchQuery: question.text,
          timings: { retrievalMs: 0, firstTokenMs: FIRST_TOKEN_MS, totalMs: FIRST_TOKEN_MS + STREAM_MS },
        },
      };
    }
    return { answerId: `bench-${question.text}`, parts: parts() };
  },
  status: async () => { throw new Error('not used'); },
  sources: async () => ({ sources: [] }),
  reindex: async () => { throw new Error('not used'); },
  isAdmin: () => false,
  scopeFor: () => undefined,
  recordFeedback: async () => undefined,
};

const discord: FakeDiscord = await startFakeDiscord({ token: 'bench-token' });
const adapter = createDiscordAdapter({
  token: 'bench-token', services, commands: commandList, logger: pino({ level: 'silent' }),
  settings: { editIntervalMs: EDIT_INTERVAL_MS, historyMessages: 12 }, restApi: discord.restUrl,
});
// What the fake's headers allow for an interaction's message edits: limit per window.
const editBucket = { limit: 0, windowSec: 0 };
adapter.client.rest.on(RESTEvents.Response, (req, res) => {
  if (req.method !== 'PATCH' || !req.route.includes('/webhooks/')) return;
  editBucket.limit = Math.max(editBucket.limit, Number(res.headers.get('x-ratelimit-limit') ?? 0));
  editBucket.windowSec = Math.max(editBucket.windowSec, Number(res.headers.get('x-ratelimit-reset-after') ?? 0));
});

interface Measured { ackMs: number; firstVisibleMs: number; edits: number; editsPerSec: number }

/** Sends /ask for each question now, waits for all answers to finish, and measures them at the fake. */
async function round(questions: string[]): Promise<Measured[]> {
  const sent = questions.map((q) => ({ q, s: discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: q }] }) }));
  await discord.waitFor(() => sent.every(({ s }) => discord.state.originalContent(s.token)?.includes('**Sources**')), { timeoutMs: 60_000, intervalMs: 20 });
  return sent.map(({ q, s }) => {
    const callback = discord.state.callbackOf(s.token)!;
    const edits = discord.state.edits(s.token);
    const firstText = edits.find((e) => typeof e.body['content'] === 'string' && e.body['content'].length > 0)!;
    const span = (edits.at(-1)!.at - edits[0]!.at) / 1000;
    return {
      ackMs: callback.at - s.dispatch.sentAt!,
      firstVisibleMs: firstText.at - firstTokenAt.get(q)!,
      edits: edits.length,
      editsPerSec: span > 0 ? (edits.length - 1) / span : 0,
    };
  });
}

const f = (n: number) => n.toFixed(1);
try {
  await adapter.start();
  await round(['warm-up']);
  const concurrent = await round(Array.from({ length: CONCURRENT }, (_, i) => `concurrent question ${i}`));
  const sequential: Measured[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) sequential.push(...(await round([`sequential question ${i}`])));

  const ack = concurrent.map((m) => m.ackMs);
  const allowed = editBucket.windowSec > 0 ? editBucket.limit / editBucket.windowSec : Number.NaN;
  const rows = [
    ['interaction → type-5 callback, 20 at once', `${f(percentile(ack, 50))} ms`, `${f(percentile(ack, 95))} ms`, `${f(percentile(ack, 99))} ms (Discord's limit: 3000 ms)`],
    ['LLM first token → first visible edit, 20 at once', `${f(percentile(concurrent.map((m) => m.firstVisibleMs), 50))} ms`, `${f(percentile(concurrent.map((m) => m.firstVisibleMs), 95))} ms`, ''],
    ['LLM first token → first visible edit, one at a time', `${f(percentile(sequential.map((m) => m.firstVisibleMs), 50))} ms`, `${f(percentile(sequential.map((m) => m.firstVisibleMs), 95))} ms`, ''],
    ['@original edits per answer (3.2 s stream)', f(percentile([...concurrent, ...sequential].map((m) => m.edits), 50)), f(percentile([...concurrent, ...sequential].map((m) => m.edits), 95)), ''],
    ['edits per second per answer', f(percentile([...concurrent, ...sequential].map((m) => m.editsPerSec), 50)), f(percentile([...concurrent, ...sequential].map((m) => m.editsPerSec), 95)),
      `allowed by headers: ${editBucket.limit} per ${editBucket.windowSec} s = ${f(allowed)}/s`],
  ];
  const out = [
    `Discord adapter bench: LLM first token after ${FIRST_TOKEN_MS} ms, then one per ${TOKEN_GAP_MS} ms for ${STREAM_MS / 1000} s; editIntervalMs ${EDIT_INTERVAL_MS}; 429s seen: ${discord.state.rateLimits.length}`,
    '',
    '| measure | p50 | p95 | p99 / note |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await adapter.stop();
  await discord.close();
}
