/**
 * Smoke test of the fake Slack with the real Bolt App: Socket Mode start-up (auth.test, apps.connections.open
 * with the app token, hello), a mention answered in its thread and acked, `/docent` acked and answered with
 * respond(), a button click replacing its message, a 429 waited out, native streaming, Slack's message
 * limits, reconnection after a dropped socket and a `disconnect` message, and HTTP mode with signed requests.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack, type Wire } from './index.js';

const platformError = (e: unknown): string | undefined => (e as { data?: { error?: string } }).data?.error;

describe('fake Slack driven by Bolt in Socket Mode', () => {
  let slack: FakeSlack;
  let app: App;
  const retryNums: (number | undefined)[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = new App({ token: 'xoxb-test', appToken: 'xapp-test', socketMode: true, clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR });
    app.event('app_mention', async ({ event, say, context }) => {
      retryNums.push(context.retryNum);
      await say({ text: `answer to: ${event.text}`, thread_ts: event.thread_ts ?? event.ts });
    });
    app.command('/docent', async ({ ack, respond, command }) => {
      await ack();
      await respond({ text: `started ${command.text}` });
    });
    app.action('helpful', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'thanks for the feedback' });
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.waitFor(() => slack.state.openConnections().length === 0, { what: 'the client to close its socket' }).catch(() => undefined);
    await slack?.close();
  });

  it('starts like on Slack: auth.test with the bot token, apps.connections.open with the app token, hello', () => {
    expect(slack.state.callsOf('auth.test')[0]).toMatchObject({ token: 'xoxb-test', ok: true });
    expect(slack.state.callsOf('apps.connections.open')[0]).toMatchObject({ token: 'xapp-test', ok: true });
    expect(slack.state.connections).toHaveLength(1);
    expect(slack.state.connections[0]!.helloAt).toBeDefined();
    expect(slack.state.unknownMethods).toEqual([]);
  });

  it('delivers a mention, gets the envelope acked, and stores the threaded reply', async () => {
    const sent = slack.sendEvent({ type: 'app_mention', text: 'which datasets cover rivers?' });
    const [reply] = await slack.waitFor(() => slack.state.botReplies(sent.channel!, sent.ts!).length && slack.state.botReplies(sent.channel!, sent.ts!));
    expect(reply!.text).toBe(`answer to: <@${slack.ids.botUserId}> which datasets cover rivers?`);
    expect(reply!.thread_ts).toBe(sent.ts);
    expect(sent.ackedAt).toBeDefined();
    expect(slack.state.acks.find((a) => a.envelopeId === sent.envelopeId)).toMatchObject({ payload: {}, late: false, known: true });
    // The thread reads back oldest first: the user's question, then the bot's answer.
    const thread = await app.client.conversations.replies({ channel: sent.channel!, ts: sent.ts! });
    expect(thread.messages?.map((m) => m.user)).toEqual([slack.ids.userId, slack.ids.botUserId]);
    expect(thread.has_more).toBe(false);
  });

  it('marks a retried event with retry_attempt, reusing the event id', async () => {
    const first = slack.sendEvent({ type: 'app_mention', text: 'retry me' });
    await slack.waitFor(() => first.ackedAt);
    const again = slack.retryEvent(first);
    await slack.waitFor(() => again.ackedAt);
    expect(again.eventId).toBe(first.eventId);
    expect(again.envelopeId).not.toBe(first.envelopeId);
    expect(retryNums.slice(-2)).toEqual([0, 1]);
  });

  it('acks /docent and stores the respond() answer as an ephemeral for the invoker', async () => {
    const sent = slack.sendSlashCommand({ command: '/docent', text: 'reindex' });
    const eph = await slack.waitFor(() => slack.state.ephemerals.find((e) => e.text === 'started reindex'));
    expect(eph).toMatchObject({ user: slack.ids.userId, channel: slack.ids.channelId, via: 'response_url' });
    expect(sent.ackedAt).toBeDefined();
    expect(slack.state.responses.at(-1)).toMatchObject({ kind: 'commands', effect: 'ephemeral', status: 200 });
  });

  it('routes a button click and applies respond({ replace_original }) to the message', async () => {
    const posted = await app.client.chat.postMessage({
      channel: slack.ids.channelId, text: 'Was this helpful?',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'helpful', text: { type: 'plain_text', text: 'Yes' }, value: 'yes' }] }],
    });
    const click = slack.sendBlockAction({ actionId: 'helpful' });
    expect(click.payload['actions']).toMatchObject([{ action_id: 'helpful', value: 'yes' }]);
    await slack.waitFor(() => slack.state.updates(slack.ids.channelId, posted.ts!).length);
    expect(slack.state.message(slack.ids.channelId, posted.ts!)!.text).toBe('thanks for the feedback');
    expect(click.ackedAt).toBeDefined();
  });

  it('answers 429 with Retry-After and the web client waits it out', async () => {
    slack.rateLimit({ method: 'chat.postMessage', times: 1, retryAfterSec: 1 });
    const sent = slack.sendEvent({ type: 'app_mention', text: 'slow down' });
    await slack.waitFor(() => slack.state.botReplies(sent.channel!, sent.ts!).length, { timeoutMs: 10_000 });
    const limited = slack.state.rateLimits.at(-1)!;
    expect(limited).toMatchObject({ method: 'chat.postMessage', retryAfterSec: 1, forced: true });
    expect(limited.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(slack.state.callsOf('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(1);
  });

  it('streams with chat.startStream / appendStream / stopStream and with the chatStream helper', async () => {
    const thread = slack.injectMessage({ text: 'stream please' });
    const recipient = { recipient_team_id: slack.ids.teamId, recipient_user_id: slack.ids.userId };
    const start = await app.client.chat.startStream({ channel: thread.channel!, thread_ts: thread.ts!, markdown_text: 'Rivers ', ...recipient });
    await app.client.chat.appendStream({ channel: thread.channel!, ts: start.ts!, markdown_text: 'and lakes' });
    await app.client.chat.stopStream({ channel: thread.channel!, ts: start.ts!, markdown_text: '.' });
    expect(slack.state.message(thread.channel!, start.ts!)).toMatchObject({ text: 'Rivers and lakes.', thread_ts: thread.ts, stream: { state: 'stopped' } });
    expect(slack.state.appends(thread.channel!, start.ts!).map((a) => a.text)).toEqual(['Rivers ', 'and lakes', '.']);
    await expect(app.client.chat.appendStream({ channel: thread.channel!, ts: start.ts!, markdown_text: 'late' })).rejects.toSatisfy((e) => platformError(e) === 'message_not_in_streaming_state');
    await expect(app.client.chat.startStream({ channel: thread.channel!, thread_ts: thread.ts!, markdown_text: 'x' })).rejects.toSatisfy((e) => platformError(e) === 'missing_recipient_user_id');

    // web-api's helper buffers and sends `chunks` rather than markdown_text.
    const streamer = app.client.chatStream({ channel: thread.channel!, thread_ts: thread.ts!, buffer_size: 4, ...recipient });
    await streamer.append({ markdown_text: 'Hello ' });
    await streamer.append({ markdown_text: 'world' });
    await streamer.stop();
    expect(slack.state.message(thread.channel!, streamer.ts!)!.text).toBe('Hello world');
    expect(slack.state.replyTexts(thread.channel!, thread.ts!)).toEqual(['Rivers and lakes.', 'Hello world']);
  });

  it("enforces Slack's message limits", async () => {
    const channel = slack.ids.channelId;
    const fails = (p: Promise<unknown>, error: string) => expect(p).rejects.toSatisfy((e) => platformError(e) === error);
    await fails(app.client.chat.postMessage({ channel, text: 'x'.repeat(40_001) }), 'msg_too_long');
    await fails(app.client.chat.postMessage({ channel, text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }), 'invalid_blocks');
    await fails(app.client.chat.postMessage({ channel, text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] }), 'invalid_blocks');
    await fails(app.client.chat.postMessage({ channel, text: 'x', blocks: [{ type: 'markdown', text: 'y'.repeat(12_001) }] }), 'invalid_blocks');
    const context = (text: string) => [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }];
    await fails(app.client.chat.postMessage({ channel, text: 'x', blocks: context('y'.repeat(3001)) }), 'invalid_blocks');
    await fails(app.client.chat.postMessage({ channel, text: 'x', blocks: context('') }), 'invalid_blocks');
    await app.client.chat.postMessage({ channel, text: 'x', blocks: context('y'.repeat(3000)) });
    // chat.stopStream's own `blocks` are held to 50 too.
    const stream = await app.client.chat.startStream({ channel, thread_ts: '1.000001', recipient_user_id: slack.ids.userId, recipient_team_id: slack.ids.teamId, markdown_text: 'a' });
    await fails(app.client.chat.stopStream({ channel, ts: stream.ts!, blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }), 'invalid_blocks');
    await fails(app.client.chat.postMessage({ channel, text: '' }), 'no_text');
    await fails(app.client.apiCall('chat.frobnicate', {}), 'unknown_method');
    expect(slack.state.unknownMethods).toContain('chat.frobnicate');
  });

  it('answers unknown_method for the stream methods when streaming is off', async () => {
    const old = await startFakeSlack({ streaming: false });
    try {
      const client = new webApi.WebClient('xoxb-test', { slackApiUrl: old.apiUrl });
      await expect(client.chat.startStream({ channel: 'D0ALICE01', thread_ts: '1.000001', markdown_text: 'x' })).rejects.toSatisfy((e) => platformError(e) === 'unknown_method');
      expect(old.state.unknownMethods).toEqual(['chat.startStream']);
    } finally {
      await old.close();
    }
  });
});

describe('fake Slack Socket Mode reconnection', () => {
  let slack: FakeSlack;
  let app: App;

  beforeAll(async () => {
    slack = await startFakeSlack();
    // The client waits clientPingTimeout (default 5 s) before reconnecting; a short one keeps the test quick.
    const receiver = new SocketModeReceiver({ appToken: 'xapp-test', clientPingTimeout: 1000, installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } }, logLevel: LogLevel.ERROR });
    app = new App({ token: 'xoxb-test', receiver, clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: 'still here', thread_ts: event.ts });
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.waitFor(() => slack.state.openConnections().length === 0).catch(() => undefined);
    await slack?.close();
  });

  it('reconnects through apps.connections.open after a dropped socket and a disconnect message', async () => {
    expect(slack.dropSocket()).toBe(1);
    // An event sent while the app is away waits for the next connection.
    const sent = slack.sendEvent({ type: 'app_mention', text: 'are you there?' });
    await slack.waitFor(() => slack.state.botReplies(sent.channel!, sent.ts!).length, { timeoutMs: 8000 });
    expect(slack.state.connections).toHaveLength(2);
    expect(slack.state.connections[0]).toMatchObject({ closedBy: 'server', closeCode: 1006 });
    expect(slack.state.callsOf('apps.connections.open')).toHaveLength(2);
    expect(sent.connectionId).toBe(2);

    expect(slack.sendDisconnect('refresh_requested')).toBe(1);
    await slack.waitFor(() => slack.state.openConnections()[0]?.id === 3 && slack.state.openConnections()[0]?.helloAt, { timeoutMs: 8000 });
    expect(slack.state.connections[1]).toMatchObject({ closedBy: 'client' });
    const after = slack.sendEvent({ type: 'app_mention', text: 'and now?' });
    await slack.waitFor(() => slack.state.botReplies(after.channel!, after.ts!).length);
  });
});

describe('fake Slack delivering to a Bolt HTTP receiver', () => {
  let slack: FakeSlack;
  let app: App;
  let url: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = new App({ token: 'xoxb-test', signingSecret: slack.signingSecret, clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: 'over http', thread_ts: event.ts });
    });
    app.command('/docent', async ({ ack }) => {
      await ack({ text: 'on it' });
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('handles a validly signed event and rejects bad or stale signatures with 401', async () => {
    const ok = await slack.postEvent(url, { type: 'app_mention', text: 'hi over http' });
    expect(ok.status).toBe(200);
    await slack.waitFor(() => slack.state.botReplies(ok.channel!, ok.ts!).length);
    expect((await slack.postEvent(url, { type: 'app_mention', text: 'forged' }, { sign: 'bad' })).status).toBe(401);
    expect((await slack.postEvent(url, { type: 'app_mention', text: 'replayed' }, { sign: 'stale' })).status).toBe(401);
    expect(slack.state.httpDeliveries.map((d) => [d.sign, d.status])).toEqual([['valid', 200], ['bad', 401], ['stale', 401]]);
  });

  it('answers url_verification and a form-encoded slash command in the HTTP response', async () => {
    const challenge = await slack.postEvent(url, { type: 'url_verification', token: 'x', challenge: 'c-123' });
    expect(challenge.json).toEqual({ challenge: 'c-123' });
    const cmd = await slack.postSlashCommand(url, { text: 'status' });
    expect(cmd.status).toBe(200);
    expect(cmd.json).toMatchObject({ text: 'on it' });
  });
});

describe('fake Slack Socket Mode wire protocol', () => {
  it('hands out one-time URLs for app tokens, says hello, and redelivers an unacked event', async () => {
    const slack = await startFakeSlack({ ackDeadlineMs: 300, retryUnackedEvents: true });
    const ws: WebSocket[] = [];
    try {
      const open = async (token: string) =>
        (await fetch(`${slack.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json() as Promise<Wire>;
      expect(await open('xoxb-test')).toEqual({ ok: false, error: 'not_allowed_token_type' });
      const { url } = await open('xapp-test');
      const frames: Wire[] = [];
      ws.push(new WebSocket(String(url)));
      ws[0]!.on('message', (d) => frames.push(JSON.parse(String(d)) as Wire));
      await slack.waitFor(() => frames.length);
      expect(frames[0]).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: slack.ids.appId }, debug_info: {} });

      const sent = slack.sendEvent({ type: 'message', text: 'hello in a DM' });
      await slack.waitFor(() => frames.length >= 3, { what: 'the event and its retry' });
      ws[0]!.send(JSON.stringify({ envelope_id: frames[2]!['envelope_id'], payload: {} }));
      expect(frames[1]).toMatchObject({
        envelope_id: sent.envelopeId, type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '',
        payload: { type: 'event_callback', event_id: sent.eventId, event: { type: 'message', channel: slack.ids.dmChannelId, channel_type: 'im', text: 'hello in a DM' } },
      });
      expect(frames[2]).toMatchObject({ type: 'events_api', retry_attempt: 1, retry_reason: 'timeout', payload: { event_id: sent.eventId } });
      await slack.waitFor(() => slack.state.acks.length);
      expect(slack.state.acks[0]).toMatchObject({ envelopeId: frames[2]!['envelope_id'], known: true });
      expect(sent.timedOutAt).toBeDefined();

      // A ticket is good for one connection.
      ws.push(new WebSocket(String(url)));
      const [refused] = (await once(ws[1]!, 'error')) as [Error];
      expect(refused.message).toContain('401');
    } finally {
      for (const w of ws) w.terminate();
      await slack.close();
    }
  });
});
