/**
 * Two replicas serving one Slack workspace over HTTP (Events API behind a load balancer), sharing one Chroma
 * server: Slack's retry of an event can reach the other replica, and both deliveries race. The message must be
 * answered once — the claim on the shared Chroma server (src/stores/chroma-lease.ts) decides which replica.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import { echoServices } from '../../helpers/stub-services.js';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import type { Question } from '../../../src/core/answer/types.js';
import { createChromaClaims } from '../../../src/stores/chroma-lease.js';
import { startChromaServer, type ChromaServerHandle } from '../../../src/stores/chroma-supervisor.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack/index.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('Slack event de-duplication across replicas on one Chroma server', () => {
  let dataDir: string;
  let chroma: ChromaServerHandle;
  let slack: FakeSlack;
  const adapters: SlackAdapter[] = [];
  const asked: Question[][] = [[], []];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'docent-slack-replicas-'));
    chroma = await startChromaServer({ dataDir, logger });
    slack = await startFakeSlack({});
    for (const i of [0, 1]) {
      const adapter = createSlackAdapter({
        botToken: 'xoxb-test', mode: 'http', signingSecret: 'fake-signing-secret', port: 0, services: echoServices(asked[i]!),
        commands: commandList, logger, settings: { streaming: 'update', updateIntervalMs: 200, historyMessages: 10 },
        slackApiUrl: slack.apiUrl, rateTiers: slack.tiers, replicaClaims: createChromaClaims({ url: chroma.url, logger }),
      });
      await adapter.start();
      adapters.push(adapter);
    }
  }, 90_000);

  afterAll(async () => {
    for (const a of adapters) await a.stop();
    await slack?.close();
    await chroma?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const urlOf = (a: SlackAdapter) => `http://127.0.0.1:${a.address()!.port}/slack/events`;

  it("answers a mention once when Slack's retry reaches the other replica", async () => {
    const first = await slack.postEvent(urlOf(adapters[0]!), { type: 'app_mention', text: 'where are the trail maps?' });
    // Slack retries (it saw no ack in time, say) and the load balancer sends the retry to the other replica.
    const retry = await slack.postEvent(urlOf(adapters[1]!), { type: 'app_mention', text: 'where are the trail maps?', eventId: first.eventId! }, { retryNum: 1 });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await slack.waitFor(() => slack.state.botReplies(first.channel!, first.ts!).length > 0, { what: 'the answer' });
    await sleep(800);
    expect(asked[0]!.length + asked[1]!.length).toBe(1);
    expect(slack.state.botReplies(first.channel!, first.ts!)).toHaveLength(1);
  }, 30_000);

  it('answers concurrent deliveries of one DM once, and different messages each', async () => {
    const before = asked[0]!.length + asked[1]!.length;
    const dm = { type: 'message' as const, text: 'what is in the catalog?' };
    const first = await slack.postEvent(urlOf(adapters[1]!), dm);
    const again = slack.postEvent(urlOf(adapters[0]!), { ...dm, eventId: first.eventId! }, { retryNum: 1 });
    const other = await slack.postEvent(urlOf(adapters[0]!), { type: 'message', text: 'and the trail maps?' });
    await again;
    await slack.waitFor(() => slack.state.botReplies(other.channel!, other.ts!).length > 0, { what: 'the second DM answered' });
    await slack.waitFor(() => slack.state.botReplies(first.channel!, first.ts!).length > 0, { what: 'the first DM answered' });
    await sleep(800);
    expect(asked[0]!.length + asked[1]!.length - before).toBe(2);
  }, 30_000);

  it('answers the same channel and ts in another workspace: never a duplicate across workspaces', async () => {
    // A replica for a second workspace on the same Chroma server; its fake has the same channel ids.
    const other = await startFakeSlack({ teamId: 'T0OTHER01' });
    const otherAsked: Question[] = [];
    const adapter = createSlackAdapter({
      botToken: 'xoxb-test', mode: 'http', signingSecret: 'fake-signing-secret', port: 0, services: echoServices(otherAsked),
      commands: commandList, logger, settings: { streaming: 'update', updateIntervalMs: 200, historyMessages: 10 },
      slackApiUrl: other.apiUrl, rateTiers: other.tiers, replicaClaims: createChromaClaims({ url: chroma.url, logger }),
    });
    try {
      await adapter.start();
      const before = asked[0]!.length + asked[1]!.length;
      const ts = `${Math.floor(Date.now() / 1000)}.424242`;
      const mention = { type: 'app_mention' as const, text: 'where are the trail maps?', ts };
      const here = await slack.postEvent(urlOf(adapters[0]!), mention);
      const there = await other.postEvent(urlOf(adapter), mention);
      expect([here.channel, here.ts]).toEqual([there.channel, there.ts]);
      await slack.waitFor(() => slack.state.botReplies(here.channel!, ts).length > 0, { what: 'the answer in the first workspace' });
      await other.waitFor(() => other.state.botReplies(there.channel!, ts).length > 0, { what: 'the answer in the second workspace' });
      expect(asked[0]!.length + asked[1]!.length - before).toBe(1);
      expect(otherAsked).toHaveLength(1);
    } finally {
      await adapter.stop();
      await other.close();
    }
  }, 30_000);
});
