/**
 * discord.js's client-side global cap (50 requests/s) against interaction-webhook requests, which Discord
 * exempts from its global limit. Stock @discordjs/rest holds them back like any bot request; with
 * `exemptInteractionRoutes` they go straight out while bot-token requests keep the cap. Counted with the REST
 * client's own `rateLimited` events (global ones) against the fake Discord, per-route buckets opened wide.
 */
import { REST, RESTEvents, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exemptInteractionRoutes, isInteractionRoute } from '../../../src/adapters/discord/interaction-rest.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

describe('interaction routes outside discord.js\'s global cap', () => {
  let discord: FakeDiscord;
  let ws: WebSocket;
  let token: string;
  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'test-token', globalRequestsPerSecond: 0 });
    ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ op: 2, d: { token: 'test-token', intents: 1, properties: {} } }));
    await discord.waitFor(() => discord.state.gateway.sessionId, { what: 'identify' });
    discord.setBucketLimit({ method: 'GET', route: '/webhooks/:app/:token/messages/:message', limit: 10_000, windowSec: 1 });
    discord.setBucketLimit({ method: 'GET', route: '/users/@me', limit: 10_000, windowSec: 1 });
    const sent = discord.sendInteraction({ command: 'ask' });
    token = sent.token;
    await fetch(`${discord.restUrl}/v10/interactions/${sent.interactionId}/${token}/callback`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 5 }),
    });
  });
  afterAll(async () => {
    ws?.close();
    await discord?.close();
  });

  function client(exempt: boolean): { rest: REST; globalWaits: () => number } {
    const rest = new REST({ version: '10', api: discord.restUrl }).setToken('test-token');
    if (exempt) exemptInteractionRoutes(rest, () => discord.ids.applicationId);
    let waits = 0;
    rest.on(RESTEvents.RateLimited, (info) => void (info.global && waits++));
    return { rest, globalWaits: () => waits };
  }
  const webhookGets = (rest: REST, n: number) =>
    Promise.all(Array.from({ length: n }, () => rest.get(Routes.webhookMessage(discord.ids.applicationId, token, '@original'), { auth: false })));

  it('stock discord.js holds interaction-webhook requests back at 50/s', async () => {
    const c = client(false);
    await webhookGets(c.rest, 80);
    expect(c.globalWaits()).toBeGreaterThan(0);
  });

  it('with the exemption they are not held back, and bot-token requests still are', async () => {
    const c = client(true);
    await webhookGets(c.rest, 80);
    expect(c.globalWaits()).toBe(0);
    await Promise.all(Array.from({ length: 80 }, () => c.rest.get(Routes.user('@me'))));
    expect(c.globalWaits()).toBeGreaterThan(0);
  });

  it('knows which routes are the interaction ones', () => {
    expect(isInteractionRoute('/interactions/123/tok/callback', '9')).toBe(true);
    expect(isInteractionRoute('/webhooks/9/tok/messages/@original', '9')).toBe(true);
    expect(isInteractionRoute('/webhooks/9/tok', '9')).toBe(true);
    expect(isInteractionRoute('/webhooks/8/tok', '9')).toBe(false); // someone else's webhook
    expect(isInteractionRoute('/channels/1/messages', '9')).toBe(false);
  });
});
