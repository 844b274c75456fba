/**
 * A `/reindex` that outlives its interaction token, scaled down: the fake's tokens live 4 s instead of Discord's
 * 15 minutes, the adapter hands off at 2.5 s instead of 14 minutes, and the reindex runs ~6 s (a "20-minute
 * reindex"). Its result must end up shown on the reply (edited by bot token once the token is past the handoff),
 * and no request may reach Discord with the dead token. With a handoff later than the token's life (a clock off
 * by minutes), the first 50027 is the last request made with that token.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { DocentServices } from '../../../commands/services.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import type { IndexSummary } from '../../../src/indexing/indexer.js';
import type { IndexProgress } from '../../../src/core/index-report.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOKEN_LIFETIME_MS = 4000;
const REINDEX_MS = 6000;

/** Services whose reindex reports progress every 50 ms for REINDEX_MS, then succeeds. */
function slowReindexServices(): DocentServices {
  return {
    ask: () => { throw new Error('not used'); },
    status: async () => ({
      documents: 1, chunks: 1, indexVersion: 1, builtAt: new Date().toISOString(), checkedAt: new Date().toISOString(),
      embedder: { id: 'hash', fallback: true }, backends: [], answers: 0, feedback: { up: 0, down: 0 },
      reindexRunning: false, schedule: null, lastRuns: [],
    }),
    sources: async () => ({ sources: [] }),
    async reindex(onProgress: (p: IndexProgress) => void): Promise<IndexSummary> {
      const steps = REINDEX_MS / 50;
      for (let done = 1; done <= steps; done++) {
        onProgress({ phase: 'embed', done: done * 500, total: steps * 500 });
        await sleep(50);
      }
      return { embedderId: 'hash', changed: true, version: 8, documents: 90, chunks: 90_000, embedded: 90_000, skipped: [], notes: [], seconds: 1200, perSource: {}, diff: { added: 3, changed: 1, removed: 0 } };
    },
    isAdmin: () => true,
    scopeFor: () => undefined,
    recordFeedback: async () => 'recorded' as const,
  };
}

describe('/reindex longer than the interaction token lives', () => {
  let discord: FakeDiscord | undefined;
  let adapter: DiscordAdapter | undefined;
  afterEach(async () => {
    await adapter?.stop();
    await discord?.close();
  });

  async function run(tokenHandoffMs: number) {
    discord = await startFakeDiscord({ token: 'test-token', interactionTokenLifetimeMs: TOKEN_LIFETIME_MS });
    adapter = createDiscordAdapter({
      token: 'test-token', services: slowReindexServices(), commands: commandList, logger: pino({ level: 'silent' }),
      settings: { editIntervalMs: 200, historyMessages: 12, tokenHandoffMs }, restApi: discord.restUrl,
    });
    await adapter.start();
    const d = discord;
    const sent = d.sendInteraction({ command: 'reindex', roleIds: [d.ids.adminRoleId] });
    const shown = await d.waitFor(() => {
      const c = d.state.originalContent(sent.token);
      return c?.startsWith('✅') ? c : undefined;
    }, { timeoutMs: REINDEX_MS + 8000, what: 'the reindex result on the reply' });
    const original = d.state.original(sent.token)!;
    const app = d.ids.applicationId;
    const viaToken = d.state.requests.filter((r) => r.path.startsWith(`/webhooks/${app}/${sent.token}`));
    const byBot = d.state.outgoing.filter((o) => o.kind === 'message-edit' && o.path === `/channels/${original.channelId}/messages/${original.id}`);
    return { shown, original, viaToken, byBot, createdAt: sent.record.dispatch!.createdAt };
  }

  it('hands off to bot-token edits before the token expires and ends with the result shown', async () => {
    const r = await run(2500);
    expect(r.shown).toMatch(/^✅ Reindexed: version 8 — 90 documents \(3 added, 1 changed, 0 removed\)/);
    // Progress went through the token first, then by bot token; the token was never used after it died.
    expect(r.viaToken.some((x) => x.method === 'PATCH' && x.status === 200)).toBe(true);
    expect(r.viaToken.filter((x) => x.status === 401)).toEqual([]);
    expect(r.viaToken.every((x) => x.at - r.createdAt < TOKEN_LIFETIME_MS)).toBe(true);
    expect(r.byBot.length).toBeGreaterThan(1);
    expect(r.byBot.every((o) => o.status === 200)).toBe(true);
    expect(String(r.byBot.at(-1)!.body['content'])).toBe(r.shown);
    expect(r.byBot.at(-1)!.body['allowed_mentions']).toEqual({ parse: [] });
    // One message: the reply itself was edited, no stray channel posts.
    expect(discord!.state.botMessagesIn(discord!.ids.channelId)).toHaveLength(1);
  }, 20_000);

  it('stops using the token at the first 50027 when the handoff comes too late', async () => {
    const r = await run(60_000);
    expect(r.shown).toMatch(/^✅ Reindexed: version 8/);
    expect(r.viaToken.filter((x) => x.status === 401)).toHaveLength(1);
    const dead = r.viaToken.find((x) => x.status === 401)!;
    expect(r.viaToken.filter((x) => x.at > dead.at)).toEqual([]);
    expect(r.byBot.length).toBeGreaterThan(0);
  }, 20_000);
});
