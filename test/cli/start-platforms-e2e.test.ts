/**
 * `docent start` with Discord and Slack configured, through the real bin against the fake Discord (which, like
 * a new app's portal default, refuses the Message Content intent with 4014) and the fake Slack:
 *
 * 1. Discord connects without the intent, registers the slash commands in DISCORD_GUILD_ID (GET, then one PUT),
 *    answers `/ask`; Slack starts and answers a mention; `/readyz` reports both connected.
 * 2. A second start finds the commands as they should be: GET only, no PUT.
 * 3. With a Discord token Discord refuses, one line names Discord and why; Slack still starts and answers, and
 *    `/readyz` is 503 with Discord failed and Slack connected.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/fake-discord/index.js';
import { startFakeSlack } from '../fakes/fake-slack/index.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-start-platforms-'));
const DISCORD_TOKEN = 'discord-test-token';
const STATUS_TOKEN = 'status-test-token';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

describe('docent start with Discord and Slack', () => {
  let discord: FakeDiscord;
  let slack: Slack;
  beforeAll(async () => {
    discord = await startFakeDiscord({ token: DISCORD_TOKEN, allowMessageContent: false });
    slack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
  });
  afterAll(async () => {
    await discord?.close();
    await slack?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs `docent start` until `body` is done, then SIGTERM; returns the log and expects a clean exit. */
  async function withStart(discordToken: string, body: (o: { log: () => string; readyz: () => Promise<{ status: number; json: Record<string, unknown> }> }) => Promise<void>) {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(repo, 'bin/docent.js'), 'start', '--data-dir', path.join(work, 'data')], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'info', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors',
        DISCORD_TOKEN: discordToken, DISCORD_API_URL: discord.restUrl, DISCORD_GUILD_ID: discord.ids.guildId,
        SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl, SLACK_STREAMING: 'update',
        HTTP_PORT: String(port), STATUS_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    try {
      await discord.waitFor(() => log.includes('Docent is running') || child.exitCode !== null, { timeoutMs: 90_000, what: 'docent start to be running' });
      expect(log, log.slice(-3000)).toContain('Docent is running');
      await body({ log: () => log, readyz });
    } finally {
      child.kill('SIGTERM');
      const code = await exited;
      expect(code, log.slice(-3000)).toBe(0);
    }
    return log;
  }

  async function slackAnswers(): Promise<void> {
    const sent = slack.sendEvent({ type: 'app_mention', text: `<@${slack.ids.botUserId}> where should I install a temperature logger in a stream?` });
    await slack.waitFor(() => {
      const last = slack.state.botReplies(sent.channel!, sent.ts!).at(-1);
      return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:');
    }, { timeoutMs: 30_000, what: 'a cited Slack answer' });
  }

  const commandWrites = () => discord.state.outgoing.filter((o) => o.kind === 'commands' && o.method === 'PUT');
  const commandReads = () => discord.state.requestsTo('GET', `/guilds/${discord.ids.guildId}/commands`);

  it('starts both without the intent, registers the commands once, and answers on each', async () => {
    const log = await withStart(DISCORD_TOKEN, async ({ readyz }) => {
      expect(discord.state.commands.guild[discord.ids.guildId]?.map((c) => c['name'])).toEqual(expect.arrayContaining(['ask', 'reindex', 'sources']));
      expect(commandWrites()).toHaveLength(1);
      const ask = discord.sendInteraction({ command: 'ask', options: [{ name: 'question', type: 3, value: 'where should I install a temperature logger in a stream?' }] });
      const answer = await discord.waitFor(() => {
        const c = discord.state.originalContent(ask.token);
        return c?.includes('Sources') ? c : undefined;
      }, { timeoutMs: 30_000, what: 'the /ask answer' });
      expect(answer).toMatch(/Field Manual/);
      await slackAnswers();
      const r = await readyz();
      expect(r.json['checks']).toMatchObject({ discord: true, slack: true });
    });
    expect(log).toMatch(/Message Content intent/);
    expect(log).toMatch(/slash commands registered/);
  }, 180_000);

  it('makes no command write on a second start when nothing changed', async () => {
    const reads = commandReads().length;
    const log = await withStart(DISCORD_TOKEN, async () => {
      await discord.waitFor(() => commandReads().length > reads, { what: 'the commands read' });
    });
    expect(commandWrites()).toHaveLength(1);
    expect(log).toMatch(/slash commands already up to date/);
  }, 180_000);

  it('keeps Slack up when Discord refuses the token, and says so in one line and in /readyz', async () => {
    const log = await withStart('a-revoked-token', async ({ readyz, log: current }) => {
      await slackAnswers();
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(r.json['checks']).toMatchObject({ slack: true, discord: expect.stringMatching(/^failed: /) });
      expect(current()).toContain('"msg":"Discord failed to start:');
    });
    const lines = log.split('\n').filter((l) => l.includes('failed to start'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Discord failed to start: .*token/i);
    expect(log).not.toMatch(/\n\s+at /); // no stack trace
  }, 180_000);
});
