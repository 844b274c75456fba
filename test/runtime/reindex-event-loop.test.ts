/**
 * A reindex in the bot process must not keep Discord waiting (issue 16, part 6). The PostgreSQL manual
 * (../shared/catalogs/pgdocs, ~10,000 chunks) is reindexed in the same process as the real Discord adapter on
 * the loopback fake, and an `/ask` arrives at the start of each indexing phase — from inside the indexer's own
 * progress callback, i.e. exactly while it is working. The outcome is checked in the fake, not by a clock here:
 * the fake refuses a first callback later than Discord's 3 s (10062 Unknown interaction), so every ask must end
 * with an accepted deferred acknowledgement. Before the keyword writer moved to its thread and the embedding and
 * chunking loops yielded, single blocks of the loop were measured at 2.6–5.9 s (npm run bench, "Event loop during a
 * reindex"). Skipped when ../shared is absent (a fresh clone).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { requireShared } from '../helpers/require-shared.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { IndexProgress } from '../../src/core/index-report.js';
import { closeParsePool } from '../../src/indexing/parse-pool.js';
import { createWordVectorEmbedder } from '../../src/providers/embedders/word-vector-embedder.js';
import { createReindexRunner } from '../../src/runtime/reindex-runner.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { DiscordRig, type Ask } from '../bench/discord-rig.js';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';

const pgdocs = path.resolve(import.meta.dirname, '../../../shared/catalogs/pgdocs');
const hasPgdocs = requireShared('an /ask during a reindex of the PostgreSQL manual', 'catalogs/pgdocs').present;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasPgdocs)('an /ask during a reindex of the PostgreSQL manual (../shared/catalogs/pgdocs)', () => {
  let rig: DiscordRig | undefined;
  afterAll(async () => {
    await closeParsePool();
    await Promise.race([rig?.close(), sleep(500)]);
  });

  it('is acknowledged (deferred) within Discord’s limit, in every phase', async () => {
    rig = await DiscordRig.start(1000);
    const r = rig;
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'docent-reindex-loop-')), 'data');
    const config = loadConfig({ env: {}, overrides: { dataDir, sources: [pgdocs] } });
    const embedder = await createWordVectorEmbedder({ cacheDir: sharedWordVectorCacheDir });
    const runner = createReindexRunner({ config, embedder, stores: createMemoryStoreFactory(), logger: pino({ level: 'silent' }), swap: async () => undefined });

    const asks: Array<{ phase: IndexProgress['phase']; ask: Ask }> = [];
    const seen = new Set<string>();
    const shape = { firstTokenMs: 10, tokenGapMs: 10, tokens: 2 };
    const summary = await runner.run('admin', (p) => {
      // The first progress of each phase, and the middle of the embedding: asked while the indexer is at work.
      const at = p.phase === 'embed' && p.done >= p.total / 2 ? 'embed-half' : p.phase;
      if (seen.has(at)) return;
      seen.add(at);
      asks.push({ phase: p.phase, ask: r.ask(shape) });
    });
    expect(summary.chunks).toBeGreaterThan(5000);
    expect(asks.map((a) => a.phase)).toEqual(['load', 'embed', 'embed', 'store']);

    await r.waitFinished(asks.map((a) => a.ask), 10_000);
    for (const { phase, ask } of asks) {
      const i = r.discord.state.interactions.get(ask.interactionId);
      // Any refused callback (late: 10062) would be listed here with its status.
      expect({ phase, refused: i?.callbacks.filter((c) => c.status !== undefined && c.status >= 400).map((c) => c.status) })
        .toEqual({ phase, refused: [] });
      expect({ phase, ack: i?.callback?.type }).toEqual({ phase, ack: 5 });
      expect(r.finished(ask)).toBe(true);
    }
  }, 180_000);
});
