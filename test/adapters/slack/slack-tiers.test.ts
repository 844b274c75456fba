/**
 * The Slack adapter within Slack's real rate tiers (the fake's defaults: Tier 2 startStream/stopStream,
 * Tier 3 chat.update and conversations.replies, Tier 4 appendStream, ~1/s per channel for postMessage, all
 * answered with 429 + Retry-After when exceeded). Ten answers at once in one channel must all end whole — text,
 * sources, buttons — with the shared budget keeping every call inside the tiers. Assertions are on what the
 * fake holds.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices } from '../../../commands/services.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import type { AnswerPart, Question } from '../../../src/core/answer/types.js';
import { SLACK_TIERS as BUDGET_TIERS } from '../../../src/adapters/slack/rate-budget.js';
import { SLACK_TIERS, startFakeSlack, type FakeSlack, type StoredMessage } from '../../fakes/fake-slack/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers stream for ~1.5 s: long enough that ten of them overlap and contend for every budget. */
const services = {
  asked: [] as Question[],
  ask(question: Question) {
    services.asked.push(question);
    const n = services.asked.length;
    async function* parts(): AsyncGenerator<AnswerPart> {
      yield { type: 'sources', passages: [] };
      let text = '';
      for (let i = 0; i < 15; i++) {
        await sleep(100);
        const d = `Word ${i} of answer ${n}. `;
        text += d;
        yield { type: 'text-delta', text: d };
      }
      text += 'Cited [1].';
      yield { type: 'text-delta', text: 'Cited [1].' };
      yield {
        type: 'finish',
        info: {
          text, citations: [{ n: 1, passage: 1, title: 'Field manual', sourceId: 'm', url: 'https://example.org/m', path: null, page: 2 }],
          backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false, searchQuery: question.text,
          timings: { retrievalMs: 0, firstTokenMs: 100, totalMs: 1600 },
        },
      };
    }
    return { answerId: `tier-${n}`, parts: parts() };
  },
  scopeFor: () => undefined,
  isAdmin: () => false,
  recordFeedback: async () => 'recorded' as const,
};

/** The thread's replies once its last one carries the buttons and no stream of it is still open. */
function finished(slack: FakeSlack, channel: string, ts: string): StoredMessage[] | undefined {
  const replies = slack.state.botReplies(channel, ts);
  const last = replies.at(-1);
  return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') && replies.every((r) => !r.stream || r.stream.state === 'stopped') ? replies : undefined;
}

describe('Slack adapter under the real rate tiers', () => {
  let slack: FakeSlack;
  let adapter: SlackAdapter;
  beforeAll(async () => {
    slack = await startFakeSlack();
    adapter = createSlackAdapter({
      botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services: services as unknown as DocentServices, commands: commandList,
      logger: pino({ level: 'silent' }), settings: { streaming: 'auto', updateIntervalMs: 300, historyMessages: 10 }, slackApiUrl: slack.apiUrl,
    });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter?.stop();
    await slack?.close();
  });

  it('ends 10 concurrent answers in one channel with their whole text, sources and buttons, inside the tiers', async () => {
    const sent = Array.from({ length: 10 }, (_, i) => slack.sendEvent({ type: 'app_mention', text: `question ${i + 1}` }));
    const all = await slack.waitFor(() => {
      const done = sent.map((s) => finished(slack, s.channel!, s.ts!));
      return done.every(Boolean) && (done as StoredMessage[][]);
    }, { timeoutMs: 45_000, what: 'ten finished answers' });
    for (const replies of all) {
      const text = replies.map((r) => r.text).join(' ');
      expect(text).toMatch(/^Word 0 of answer \d+\. [\s\S]*Word 14 of answer \d+\. Cited \[1\]\.$/);
      const blocks = JSON.stringify(replies.at(-1)!.blocks);
      expect(blocks).toContain('<https://example.org/m|Field manual>');
      expect(blocks).toMatch(/docent:fb:down:tier-\d+/);
    }
    expect(slack.state.brokenStreams()).toEqual([]);
    // The shared budget kept every method inside its tier: Slack never had to say 429.
    expect(slack.state.rateLimits).toEqual([]);
  }, 60_000);

  it('answers a follow-up in a thread it knows from its cache, without conversations.replies', async () => {
    const root = slack.sendEvent({ type: 'app_mention', text: 'cached thread question' });
    await slack.waitFor(() => finished(slack, root.channel!, root.ts!), { timeoutMs: 20_000 });
    const reads = slack.state.callsOf('conversations.replies').length;
    slack.sendEvent({ type: 'message', channel: root.channel!, thread_ts: root.ts!, text: 'and a follow-up?' });
    await slack.waitFor(() => (finished(slack, root.channel!, root.ts!)?.length ?? 0) >= 2, { timeoutMs: 20_000 });
    expect(slack.state.callsOf('conversations.replies').length).toBe(reads);
    const q = services.asked.find((a) => a.text === 'and a follow-up?')!;
    expect(q.history[0]).toEqual({ role: 'user', text: 'cached thread question' });
    expect(q.history[1]!.role).toBe('assistant');
    expect(q.history[1]!.text).toMatch(/^Word 0 of answer \d+\./);
  }, 45_000);
});

describe('votes within chat.postEphemeral\'s tier', () => {
  // A small tier on both sides (the fake's 429s and the adapter's budget) so a burst outruns it in seconds.
  const tier = { limit: 10, windowSec: 5 };
  let slack: FakeSlack;
  let adapter: SlackAdapter;
  beforeAll(async () => {
    slack = await startFakeSlack({ limits: { ...SLACK_TIERS, 'chat.postEphemeral': tier } });
    adapter = createSlackAdapter({
      botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services: services as unknown as DocentServices, commands: commandList,
      logger: pino({ level: 'silent' }), settings: { streaming: 'auto', updateIntervalMs: 300, historyMessages: 10 }, slackApiUrl: slack.apiUrl,
      rateTiers: { ...BUDGET_TIERS, 'chat.postEphemeral': tier },
    });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter?.stop();
    await slack?.close();
  });

  it('thanks every one of 25 votes clicked at once, and Slack never answers 429', async () => {
    const root = slack.sendEvent({ type: 'app_mention', text: 'a question to vote on' });
    const replies = await slack.waitFor(() => finished(slack, root.channel!, root.ts!), { timeoutMs: 20_000 });
    const actionId = (JSON.stringify(replies.at(-1)!.blocks).match(/docent:fb:up:tier-\d+/) ?? [])[0]!;
    for (let i = 0; i < 25; i++) slack.sendBlockAction({ actionId, userId: `U-voter-${i}` });
    await slack.waitFor(() => slack.state.ephemerals.filter((e) => e.text === 'Thanks for the feedback.').length === 25, { timeoutMs: 30_000, what: '25 thanks' });
    expect(slack.state.rateLimits.filter((r) => r.method === 'chat.postEphemeral')).toEqual([]);
  }, 60_000);
});
