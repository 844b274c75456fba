import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ChromaUniqueError, type Collection } from 'chromadb';
import { sha256 } from '../core/hash.js';
import type { Logger } from '../logging/logger.js';
import { createChromaClient, type ChromaStoreOptions } from './chroma-store.js';

/** A renewable lease: one holder among replicas at a time, taken over when its holder stops renewing. */
export interface HolderLease {
  readonly holder: string;
  /** Becomes the holder if there is none or the holder's lease has expired; true when we hold it now. */
  acquire(): Promise<boolean>;
  /**
   * Extends our lease; false when it is no longer ours (another replica took it over because we renewed too
   * late). Must be called before `expiresAt`: past it the lease may already be someone else's.
   */
  renew(): Promise<boolean>;
  /** When our lease runs out (epoch ms, our clock); 0 when we do not hold it. */
  readonly expiresAt: number;
  /** Gives the lease up (a standby takes over at its next look instead of after the expiry). */
  release(): Promise<void>;
}

const PREFIX = 'docent_hold_';

/**
 * A holder lease on a shared Chroma server, with no server-side code: Chroma offers no compare-and-set, but
 * creating a collection whose name exists fails atomically (the same primitive as chroma-lease.ts). So the
 * lease is a chain of generations, one collection each, `docent_hold_<key hash>_<gen>`, whose metadata holds
 * the holder and its expiry:
 *
 * - the holder of generation g renews by updating g's expiry, after checking that g+1 does not exist;
 * - a replica that finds the newest generation expired takes over by creating g+1 — only one creation wins —
 *   and then deletes the older generations;
 * - a holder that finds g+1 (it renewed too late) has lost it, and says so.
 *
 * Clocks: expiries are compared with each replica's clock, so replicas' clocks must agree to well within the
 * TTL (NTP gives milliseconds; the default TTL is 30 s).
 */
export function createChromaHolderLease(opts: Pick<ChromaStoreOptions, 'url' | 'authToken' | 'authHeader' | 'tenant' | 'database'> & {
  /** What is leased (e.g. "discord-gateway:" + a hash of the bot token); hashed into the collection names. */
  key: string;
  ttlMs: number;
  logger: Logger;
  holder?: string;
  /** The most one Chroma call may take (default a third of the TTL, at most 10 s). */
  callTimeoutMs?: number;
}): HolderLease {
  const client = createChromaClient(opts);
  const holder = opts.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const base = `${PREFIX}${sha256(opts.key).slice(0, 32)}_`;
  const log = opts.logger.child({ component: 'chroma-holder-lease', holder });
  let gen: number | undefined;
  let expiresAt = 0;
  const callTimeoutMs = opts.callTimeoutMs ?? Math.min(10_000, Math.max(250, Math.floor(opts.ttlMs / 3)));

  /**
   * Every Chroma call is bounded: the client has no timeout of its own, and one request that never answers
   * (a half-open connection, a stalled server) would hang the caller's renew/look loop for good — a holder that
   * keeps serving past its expiry, or a standby that never takes over. The request itself is left to finish or
   * fail; a create that lands after we gave up only leaves a generation nobody serves, which expires in a TTL.
   */
  const bounded = <T>(what: string, call: Promise<T>, ms = callTimeoutMs): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Chroma did not answer within ${ms} ms (${what})`)), Math.max(0, ms));
    });
    return Promise.race([call, late]).finally(() => clearTimeout(timer));
  };

  const nameOf = (g: number) => `${base}${g}`;
  const isUnique = (err: unknown) => err instanceof ChromaUniqueError || /already exists/i.test(String((err as Error).message));
  const isNotFound = (err: unknown) => err instanceof Error && (err.name === 'ChromaNotFoundError' || /does not exist|not found/i.test(err.message));
  const meta = (h: string, until: number) => ({ key: opts.key.split(':')[0] ?? '', holder: h, expiresAt: until });

  type Generation = { gen: number; holder: string; expiresAt: number; collection: Collection };
  /**
   * The generations that exist, newest first, with their metadata. Listed rather than fetched by name: listing
   * needs no embedding function (getCollection would try to load Chroma's default one).
   */
  async function generations(ms = callTimeoutMs): Promise<Generation[]> {
    const found: Generation[] = [];
    const page = 100;
    for (let offset = 0; ; offset += page) {
      const batch = await bounded('list the lease generations', client.listCollections({ limit: page, offset }), ms);
      for (const c of batch) {
        if (!c.name.startsWith(base)) continue;
        found.push({ gen: Number(c.name.slice(base.length)), holder: String(c.metadata?.holder ?? ''), expiresAt: Number(c.metadata?.expiresAt ?? 0), collection: c });
      }
      if (batch.length < page) break;
    }
    return found.sort((a, b) => b.gen - a.gen);
  }

  return {
    holder,
    get expiresAt() {
      return gen === undefined ? 0 : expiresAt;
    },
    async acquire() {
      if (gen !== undefined) return this.renew();
      const [newest, ...older] = await generations();
      if (newest && newest.expiresAt > Date.now()) {
        log.debug({ generation: newest.gen, heldBy: newest.holder, expiresInMs: newest.expiresAt - Date.now() }, 'the lease is held');
        return false;
      }
      const next = (newest?.gen ?? 0) + 1;
      const until = Date.now() + opts.ttlMs;
      try {
        await bounded('create a lease generation', client.createCollection({ name: nameOf(next), metadata: meta(holder, until), embeddingFunction: null }));
      } catch (err) {
        if (isUnique(err)) return false; // another replica took it over first
        throw err;
      }
      gen = next;
      expiresAt = until;
      log.info({ generation: next, previousHolder: newest?.holder || undefined }, 'took the lease');
      // The older generations are history now; a failure to delete one only leaves it for the next taker.
      for (const o of newest ? [newest, ...older] : older) {
        await bounded('delete an old lease generation', client.deleteCollection({ name: nameOf(o.gen) })).catch((e: unknown) => log.debug({ err: e }, 'could not delete an old lease generation'));
      }
      return true;
    },
    async renew() {
      if (gen === undefined) return false;
      const g = gen;
      const until = Date.now() + opts.ttlMs;
      const lost = (why: string) => {
        if (gen === g) gen = undefined;
        log.warn({ generation: g, why }, 'lost the lease');
        return false;
      };
      if (Date.now() >= expiresAt) return lost('not renewed before it expired');
      // A renewal must finish before our expiry, so no call may outlast it (past it, it is a takeover's).
      const left = () => Math.min(callTimeoutMs, expiresAt - Date.now());
      const all = await generations(left());
      if (all.some((x) => x.gen > g)) return lost('another replica took it over');
      const mine = all.find((x) => x.gen === g);
      if (!mine) return lost('its record is gone');
      try {
        await bounded('renew the lease', mine.collection.modify({ metadata: meta(holder, until) }), left());
      } catch (err) {
        if (isNotFound(err)) return lost('its record is gone');
        throw err;
      }
      // Belt and braces with the bound above: a renewal that lands after the expiry may race a takeover.
      if (Date.now() >= expiresAt) return lost('renewed only after it expired');
      expiresAt = until;
      return true;
    },
    async release() {
      if (gen === undefined) return;
      const g = gen;
      gen = undefined;
      try {
        const mine = (await generations()).find((x) => x.gen === g);
        if (mine) await bounded('release the lease', mine.collection.modify({ metadata: meta('', 0) }));
        log.info({ generation: g }, 'released the lease');
      } catch (err) {
        log.debug({ err }, 'could not release the lease; it expires on its own');
      }
    },
  };
}
