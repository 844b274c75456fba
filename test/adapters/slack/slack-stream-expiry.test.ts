/**
 * A native stream that Slack ends under Docent (it outlived the stream lifetime, so appends answer
 * message_not_in_streaming_state): the answer must still arrive whole, the rest as a plain reply with the
 * sources and buttons.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices } from '../../../commands/services.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { fromMrkdwn } from '../../../src/adapters/slack/mrkdwn.js';
import type { AnswerPart } from '../../../src/core/answer/types.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DELTAS = Array.from({ length: 12 }, (_, i) => `Part ${i} of a slow answer. `);

const services = {
  ask() {
    async function* parts(): AsyncGenerator<AnswerPart> {
      for (const d of DELTAS) {
        await sleep(100);
        yield { type: 'text-delta', text: d };
      }
      yield {
        type: 'finish',
        info: {
          text: DELTAS.join(''), citations: [{ n: 1, passage: 1, title: 'Manual', sourceId: 'm', url: 'https://example.org/m', path: null, page: 1 }],
          backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false, searchQuery: 'q', timings: { retrievalMs: 0, firstTokenMs: 100, totalMs: 1200 },
        },
      };
    }
    return { answerId: 'slow-1', parts: parts() };
  },
  scopeFor: () => undefined,
  isAdmin: () => false,
  recordFeedback: async () => undefined,
} as unknown as DocentServices;

describe('Slack adapter when a native stream expires mid-answer', () => {
  let slack: FakeSlack;
  let adapter: SlackAdapter;
  beforeAll(async () => {
    slack = await startFakeSlack({ streamLifetimeMs: 500 });
    adapter = createSlackAdapter({
      botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services, commands: commandList, logger: pino({ level: 'silent' }),
      settings: { streaming: 'native', updateIntervalMs: 250, historyMessages: 10 }, slackApiUrl: slack.apiUrl,
    });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter?.stop();
    await slack?.close();
  });

  it('posts what the stream could not take as a plain reply, with sources and buttons', async () => {
    const sent = slack.sendEvent({ type: 'app_mention', text: 'a slow question' });
    const replies = await slack.waitFor(() => {
      const r = slack.state.botReplies(sent.channel!, sent.ts!);
      return JSON.stringify(r.at(-1)?.blocks ?? []).includes('docent:fb:up:slow-1') && r;
    }, { timeoutMs: 10_000 });
    expect(replies[0]!.stream).toMatchObject({ expired: true });
    expect(replies.at(-1)!.via).toBe('chat.postMessage');
    expect(replies.map((r) => fromMrkdwn(r.text)).join(' ').replace(/\s+/g, ' ')).toBe(DELTAS.join('').trim());
  });
});
