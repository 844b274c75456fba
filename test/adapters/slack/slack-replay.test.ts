/**
 * Replay protection on the Slack HTTP transport: the real Bolt App and HTTPReceiver inside `createSlackAdapter`,
 * against the loopback fake Slack, with signed requests built here byte for byte (so the exact same request can
 * be sent twice). An exact replay inside the 5-minute window is acknowledged and dropped; a request stamped more
 * than 5 minutes away from now, in the past or the future, is refused with 401 even when correctly signed.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices, Feedback } from '../../../commands/services.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { MAX_AGE_SEC, ReplayGuard } from '../../../src/adapters/slack/replay-guard.js';
import type { AnswerPart, Question } from '../../../src/core/answer/types.js';
import { signatureHeaders, startFakeSlack, type FakeSlack } from '../../fakes/fake-slack/index.js';
import { observe } from '../../reliability/observe.js';

const SECRET = 'replay-test-signing-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let slack: FakeSlack;
let adapter: SlackAdapter;
let url: string;
const asked: Question[] = [];
const feedback: Feedback[] = [];
const logLines: Array<{ msg?: string; level?: number }> = [];

function services(): DocentServices {
  let answers = 0;
  return {
    ask(question: Question) {
      asked.push(question);
      async function* parts(): AsyncGenerator<AnswerPart> {
        yield { type: 'sources', passages: [] };
        yield { type: 'text-delta', text: 'An answer.' };
        yield {
          type: 'finish',
          info: {
            text: 'An answer.', citations: [], backend: 'scripted', finishReason: 'stop', fallbacks: [], degraded: [], cached: false, notFound: false,
            searchQuery: question.text, timings: { retrievalMs: 1, firstTokenMs: 1, totalMs: 2 },
          },
        };
      }
      return { answerId: `ans-${++answers}`, parts: parts() };
    },
    status: async () => ({}) as never,
    sources: async () => ({ sources: [] }),
    reindex: async () => ({}) as never,
    isAdmin: () => false,
    scopeFor: () => undefined,
    recordFeedback: async (f: Feedback) => void feedback.push(f),
  } as unknown as DocentServices;
}

/** One signed request, as fixed bytes and headers, so it can be sent again unchanged. */
function signed(body: string, contentType: string, timestampSec = Math.floor(Date.now() / 1000)) {
  const headers = { 'content-type': contentType, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...signatureHeaders(SECRET, body, 'valid', timestampSec) };
  return { send: async () => (await fetch(url, { method: 'POST', headers, body })).status, headers };
}

function slashCommand(text: string, timestampSec?: number) {
  const fields = {
    token: 'fake-verification-token', team_id: slack.ids.teamId, team_domain: slack.ids.teamDomain, channel_id: slack.ids.channelId,
    channel_name: 'general', user_id: slack.ids.userId, user_name: 'someone', command: '/docent', text, api_app_id: slack.ids.appId,
    is_enterprise_install: 'false', response_url: `${slack.baseUrl}/commands/T0/1/unused`, trigger_id: `${Date.now()}.1.abc`,
  };
  return signed(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', timestampSec);
}

function feedbackClick(answerId: string) {
  const payload = {
    type: 'block_actions', user: { id: slack.ids.userId, username: 'someone', name: 'someone', team_id: slack.ids.teamId },
    api_app_id: slack.ids.appId, token: 'fake-verification-token', trigger_id: `${Date.now()}.2.def`, team: { id: slack.ids.teamId, domain: slack.ids.teamDomain },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: slack.ids.channelId, is_ephemeral: false },
    channel: { id: slack.ids.channelId, name: 'general' }, message: { ts: '1700000000.000100', type: 'message', text: 'an answer' },
    response_url: `${slack.baseUrl}/actions/T0/2/unused`,
    actions: [{ action_id: `docent:fb:up:${answerId}`, block_id: 'fb', type: 'button', value: 'up', text: { type: 'plain_text', text: '👍' }, action_ts: '1700000001.000200' }],
  };
  return signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
}

function mentionEvent(text: string) {
  const ts = `${Math.floor(Date.now() / 1000)}.000300`;
  const body = {
    token: 'fake-verification-token', team_id: slack.ids.teamId, api_app_id: slack.ids.appId, type: 'event_callback', event_id: `Ev0REPLAY${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000), authorizations: [{ team_id: slack.ids.teamId, user_id: slack.ids.botUserId, is_bot: true }],
    event: { type: 'app_mention', text: `<@${slack.ids.botUserId}> ${text}`, user: slack.ids.userId, ts, channel: slack.ids.channelId, event_ts: ts, team: slack.ids.teamId },
  };
  return signed(JSON.stringify(body), 'application/json');
}

const dropped = () => logLines.filter((l) => l.msg?.startsWith('dropped a replayed Slack request')).length;

beforeAll(async () => {
  slack = await startFakeSlack({ signingSecret: SECRET });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as { msg?: string });
      cb();
    },
  });
  adapter = createSlackAdapter({
    botToken: 'xoxb-test', signingSecret: SECRET, mode: 'http', port: 0, services: services(), commands: commandList,
    logger: pino({ level: 'info' }, sink), settings: { streaming: 'update', updateIntervalMs: 300, historyMessages: 10 }, slackApiUrl: slack.apiUrl,
  });
  await adapter.start();
  url = `http://127.0.0.1:${adapter.address()!.port}/slack/events`;
});
afterAll(async () => {
  await adapter?.stop();
  await slack?.close();
});

describe('Slack HTTP replay protection', () => {
  it('answers a signed /docent question once when the exact request is sent again', async () => {
    const request = slashCommand('how do I replay a question?');
    const first = await request.send();
    await slack.waitFor(() => asked.some((q) => q.text === 'how do I replay a question?'), { what: 'the question to be asked' });
    const again = [await request.send(), await request.send()];
    await sleep(500);
    const times = asked.filter((q) => q.text === 'how do I replay a question?').length;
    const posted = slack.state.botMessages(slack.ids.channelId).filter((m) => m.text.includes('how do I replay a question?')).length;
    observe('slack/replay-dropped', `/docent question sent 3× with one signature: HTTP ${first},${again.join(',')}; asked ${times}×, question posted ${posted}×; ${dropped()} replays logged`);
    expect(first).toBe(200);
    // A replay is acknowledged (Slack would otherwise retry) but does nothing.
    expect(again).toEqual([200, 200]);
    expect(times).toBe(1);
    expect(posted).toBe(1);
    expect(dropped()).toBeGreaterThanOrEqual(2);
  });

  it('records a feedback click once when the exact request is sent again', async () => {
    const click = feedbackClick('ans-replayed-vote');
    const first = await click.send();
    await slack.waitFor(() => feedback.some((f) => f.answerId === 'ans-replayed-vote'), { what: 'the vote' });
    const again = await click.send();
    await sleep(300);
    const votes = feedback.filter((f) => f.answerId === 'ans-replayed-vote').length;
    observe('slack/replay-vote', `👍 click sent 2× with one signature: HTTP ${first},${again}; votes recorded: ${votes}`);
    expect([first, again]).toEqual([200, 200]);
    expect(votes).toBe(1);
  });

  it('drops an exact replay of an event before any listener (event_id dedupe would be the second line)', async () => {
    const before = dropped();
    const event = mentionEvent('event replay');
    expect(await event.send()).toBe(200);
    await slack.waitFor(() => asked.some((q) => q.text.includes('event replay')), { what: 'the mention to be asked' });
    expect(await event.send()).toBe(200);
    await sleep(300);
    expect(asked.filter((q) => q.text.includes('event replay'))).toHaveLength(1);
    expect(dropped()).toBe(before + 1);
  });

  it('refuses correctly signed requests stamped more than 5 minutes in the past or the future', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const stale = await slashCommand('stale question', nowSec - MAX_AGE_SEC - 60).send();
    const future = await slashCommand('future question', nowSec + MAX_AGE_SEC + 60).send();
    const edge = await slashCommand('recent question', nowSec - MAX_AGE_SEC + 30).send();
    await sleep(500);
    const seen = (t: string) => asked.some((q) => q.text === t);
    observe('slack/stale-or-future-refused', `6 min old: HTTP ${stale}, 6 min ahead: HTTP ${future}, 4.5 min old: HTTP ${edge}; asked: ${['stale question', 'future question', 'recent question'].filter(seen).join(', ') || 'none'}`);
    expect(stale).toBe(401);
    expect(future).toBe(401);
    expect(seen('stale question')).toBe(false);
    expect(seen('future question')).toBe(false);
    expect(edge).toBe(200);
    await slack.waitFor(() => seen('recent question'), { what: 'the 4.5-minute-old question to be asked' });
  });

  it('a forged request cannot block the genuine one (only verified signatures are remembered)', async () => {
    const genuine = slashCommand('genuine after forgery');
    // Same signature header, different body: fails verification, so it must not claim the signature.
    const forged = await fetch(url, { method: 'POST', headers: genuine.headers, body: 'token=x&command=%2Fdocent&text=forged' });
    expect(forged.status).toBe(401);
    expect(await genuine.send()).toBe(200);
    await slack.waitFor(() => asked.some((q) => q.text === 'genuine after forgery'), { what: 'the genuine question' });
  });
});

describe('ReplayGuard', () => {
  it('remembers a signature until its request would be stale anyway', () => {
    let now = 1_000_000_000_000;
    const g = new ReplayGuard({ now: () => now });
    const ts = now / 1000;
    expect(g.claim('v0=a', ts)).toBe(true);
    expect(g.claim('v0=a', ts)).toBe(false);
    now += (MAX_AGE_SEC - 1) * 1000;
    expect(g.claim('v0=a', ts)).toBe(false);
    now += 3000;
    // Bolt refuses it as stale from here on; the entry may go.
    expect(g.fresh(String(ts))).toBe(false);
    expect(g.claim('v0=a', ts)).toBe(true);
  });

  it('checks the window both ways and stays bounded under a flood', () => {
    const now = 1_000_000_000_000;
    const g = new ReplayGuard({ now: () => now, maxEntries: 100 });
    expect(g.fresh(undefined)).toBe(true);
    expect(g.fresh(String(now / 1000 + MAX_AGE_SEC))).toBe(true);
    expect(g.fresh(String(now / 1000 + MAX_AGE_SEC + 1))).toBe(false);
    expect(g.fresh(String(now / 1000 - MAX_AGE_SEC - 1))).toBe(false);
    expect(g.fresh('soon')).toBe(false);
    for (let i = 0; i < 1000; i++) g.claim(`v0=${i}`, now / 1000);
    expect(g.size).toBe(100);
    expect(g.evicted).toBe(900);
    expect(g.claim('v0=999', now / 1000)).toBe(false);
  });
});
