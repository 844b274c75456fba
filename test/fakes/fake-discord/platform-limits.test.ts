/**
 * The fake Discord's platform limits that bite long-running or busy bots: interaction tokens expire (401/50027
 * on every webhook route after the lifetime; Discord: 15 minutes), and the bot's global 50 requests/s limit
 * applies to bot-token routes but not to interaction routes (Discord: "Interaction endpoints are not bound to
 * the bot's Global Rate Limit"). Driven with plain HTTP so the counts are exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeDiscord, type FakeDiscord } from './index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client session on the gateway is needed before interactions can be sent; a bare WebSocket identify does it. */
async function identify(discord: FakeDiscord): Promise<WebSocket> {
  const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ op: 2, d: { token: 'test-token', intents: (1 << 0) | (1 << 9), properties: {} } }));
  await discord.waitFor(() => discord.state.gateway.connected && discord.state.gateway.sessionId, { what: 'identify' });
  return ws;
}

describe('fake Discord limits', () => {
  let discord: FakeDiscord;
  let ws: WebSocket | undefined;
  afterEach(async () => {
    ws?.close();
    await discord?.close();
  });

  const call = (method: string, path: string, body?: unknown, bot = true) =>
    fetch(`${discord.restUrl}/v10${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bot ? { authorization: 'Bot test-token' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('answers 401/50027 on the interaction webhook once the token has expired', async () => {
    discord = await startFakeDiscord({ interactionTokenLifetimeMs: 400 });
    ws = await identify(discord);
    const { interactionId, token } = discord.sendInteraction({ command: 'ask' });
    const app = discord.ids.applicationId;
    expect((await call('POST', `/interactions/${interactionId}/${token}/callback`, { type: 5 }, false)).status).toBe(204);
    expect((await call('PATCH', `/webhooks/${app}/${token}/messages/@original`, { content: 'early' }, false)).status).toBe(200);
    await sleep(450);
    const late = await call('PATCH', `/webhooks/${app}/${token}/messages/@original`, { content: 'late' }, false);
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ message: 'Invalid Webhook Token', code: 50027 });
    const followUp = await call('POST', `/webhooks/${app}/${token}?wait=true`, { content: 'late follow-up' }, false);
    expect(followUp.status).toBe(401);
    expect(discord.state.originalContent(token)).toBe('early');

    // The public response is still the bot's message: the bot token may edit it through the channel route.
    const original = discord.state.original(token)!;
    const edit = await call('PATCH', `/channels/${original.channelId}/messages/${original.id}`, { content: 'by bot token' });
    expect(edit.status).toBe(200);
    expect(discord.state.originalContent(token)).toBe('by bot token');
  });

  it('takes the first follow-up after a deferral as the deferred message, ignoring its flags', async () => {
    // "When used after a deferred response, the first follow-up edits the original deferred message"
    // (https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message).
    discord = await startFakeDiscord();
    ws = await identify(discord);
    const { interactionId, token } = discord.sendInteraction({ command: 'ask' });
    const app = discord.ids.applicationId;
    await call('POST', `/interactions/${interactionId}/${token}/callback`, { type: 5 }, false);
    const first = await (await call('POST', `/webhooks/${app}/${token}?wait=true`, { content: 'private?', flags: 64 }, false)).json() as { id: string };
    const original = discord.state.original(token)!;
    expect(first.id).toBe(original.id);
    expect(discord.state.originalContent(token)).toBe('private?');
    expect(Number(original.data['flags']) & 64).toBe(0);
    expect(discord.state.followUps(token)).toEqual([]);
    // Once resolved, a follow-up is a message of its own with its own flags.
    await call('POST', `/webhooks/${app}/${token}?wait=true`, { content: 'second', flags: 64 }, false);
    expect(discord.state.followUps(token).map((m) => [m.data['content'], Number(m.data['flags']) & 64])).toEqual([['second', 64]]);
  });

  it('limits bot-token requests to 50/s globally but leaves interaction webhooks out', async () => {
    discord = await startFakeDiscord();
    ws = await identify(discord);
    // Per-route buckets wide open, so only the global limit can refuse.
    discord.setBucketLimit({ method: 'GET', route: '/users/@me', limit: 1000, windowSec: 1 });
    discord.setBucketLimit({ method: 'GET', route: '/webhooks/:app/:token/messages/:message', limit: 1000, windowSec: 1 });
    const { interactionId, token } = discord.sendInteraction({ command: 'ask' });
    await call('POST', `/interactions/${interactionId}/${token}/callback`, { type: 5 }, false);

    const bot = await Promise.all(Array.from({ length: 70 }, () => call('GET', '/users/@me')));
    const refused = bot.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(20);
    expect(refused[0]!.headers.get('x-ratelimit-global')).toBe('true');
    expect(refused[0]!.headers.get('x-ratelimit-scope')).toBe('global');
    expect(discord.state.rateLimits.every((r) => r.global && !r.forced)).toBe(true);

    // While the bot's global window is spent, interaction webhook requests still go through.
    const hooks = await Promise.all(
      Array.from({ length: 70 }, () => call('GET', `/webhooks/${discord.ids.applicationId}/${token}/messages/@original`, undefined, false)),
    );
    expect(hooks.filter((r) => r.status !== 200)).toEqual([]);
  });
});
