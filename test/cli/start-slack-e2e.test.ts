/**
 * `docent start` as deployed: the real bin with Slack tokens set (Socket Mode) against the fake Slack, the
 * zero-config sample catalog and the extractive answers. A mention is answered in its thread with the source
 * list, and SIGTERM stops everything cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../fakes/fake-slack/index.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-start-slack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('docent start with Slack tokens', () => {
  it('answers a mention in its thread and stops on SIGTERM', async () => {
    const slack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
    const child = spawn(process.execPath, [path.join(repo, 'bin/docent.js'), 'start', '--data-dir', path.join(work, 'data')], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'info', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors',
        SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl, SLACK_STREAMING: 'update', HTTP_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await slack.waitFor(() => log.includes('Docent is running'), { timeoutMs: 90_000, what: 'docent start to be running' });
      const sent = slack.sendEvent({ type: 'app_mention', text: `<@${slack.ids.botUserId}> where should I install a temperature logger in a stream?` });
      // Final once the last reply carries the feedback buttons (the source list is in the blocks).
      const final = () => {
        const replies = slack.state.botReplies(sent.channel!, sent.ts!);
        const last = replies.at(-1);
        return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') ? replies : undefined;
      };
      await slack.waitFor(() => final() !== undefined, { timeoutMs: 30_000, what: 'a cited answer in the thread' });
      const all = JSON.stringify(final()!.map((m) => ({ text: m.text, blocks: m.blocks })));
      expect(all).toMatch(/Excerpts from the catalog/);
      expect(all).toMatch(/Field Manual/);
      expect(all).toMatch(/page 2/);
    } finally {
      child.kill('SIGTERM');
      const code = await exited;
      await slack.close();
      expect(code, log.slice(-2000)).toBe(0);
    }
  }, 150_000);
});
