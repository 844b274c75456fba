/**
 * A native stream that Slack ends under Docent (it outlived the stream lifetime, so appends answer
 * message_not_in_streaming_state, and the fake keeps the message visibly broken until a chat.update): the
 * stream's own message must be repaired in place — the whole answer, the sources and the buttons in that one
 * message — not continued mid-sentence in a second reply.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices } from '../../../commands/services.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { fromMrkdwn } from '../../../src/adapters/slack/mrkdwn.js';
import type { AnswerPart } from '../../../src/core/answer/types.js';
import { fastTiers, startFakeSlack, type FakeSlack } from '../../fakes/fake-slack/index.js';

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
    slack = await startFakeSlack({ streamLifetimeMs: 500, limits: fastTiers(20) });
    adapter = createSlackAdapter({
      botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', port: 0, services, commands: commandList, logger: pino({ level: 'silent' }),
      settings: { streaming: 'native', updateIntervalMs: 250, historyMessages: 10 }, slackApiUrl: slack.apiUrl, rateTiers: slack.tiers,
    });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter?.stop();
    await slack?.close();
  });

  it('repairs the expired stream in place with chat.update: the whole answer, sources and buttons in one message', async () => {
    const sent = slack.sendEvent({ type: 'app_mention', text: 'a slow question' });
    const replies = await slack.waitFor(() => {
      const r = slack.state.botReplies(sent.channel!, sent.ts!);
      return JSON.stringify(r.at(-1)?.blocks ?? []).includes('docent:fb:up:slow-1') && r;
    }, { timeoutMs: 10_000 });
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(reply!.via).toBe('chat.startStream');
    expect(reply!.stream).toMatchObject({ expired: true });
    expect(reply!.updates.at(-1)!.via).toBe('chat.update');
    expect(fromMrkdwn(reply!.text).replace(/\s+/g, ' ')).toBe(DELTAS.join('').trim());
    expect(JSON.stringify(reply!.blocks)).toContain('<https://example.org/m|Manual>');
    expect(slack.state.brokenStreams()).toEqual([]);
  });

  it('leaves a stream Slack ended visibly broken in the fake until chat.update repairs it', async () => {
    const client = adapter.app.client;
    const parent = slack.injectMessage({ text: 'a question' });
    const started = await client.chat.startStream({ channel: parent.channel, thread_ts: parent.ts, recipient_user_id: slack.ids.userId, recipient_team_id: slack.ids.teamId, markdown_text: 'Half an ans' });
    await sleep(600);
    await expect(client.chat.appendStream({ channel: parent.channel, ts: started.ts!, markdown_text: 'wer' })).rejects.toMatchObject({ data: { error: 'message_not_in_streaming_state' } });
    expect(slack.state.brokenStreams().map((m) => m.ts)).toEqual([started.ts]);
    await client.chat.update({ channel: parent.channel, ts: started.ts!, text: 'Half an answer, repaired.' });
    expect(slack.state.brokenStreams()).toEqual([]);
  });
});
