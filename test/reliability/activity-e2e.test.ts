/**
 * The activity log can never stop Docent, end to end: `docent start` (the real bin, Slack Socket Mode against the
 * fake Slack, the sample catalog, extractive answers) starts over an answers.jsonl whose last line was cut by a
 * crash and answers with sources; and with an activity folder it cannot write, answers still finish with their
 * sources and feedback buttons.
 *
 * Each case records what it saw with observe() for the generated report (cases.ts lists the rows).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack/index.js';
import { observe } from './observe.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-activity-e2e-'));
const dataDir = path.join(work, 'data');
const activity = path.join(dataDir, 'activity');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts `docent start`, asks one question by mention, and returns the final replies' text and the process log. */
async function startAndAsk(): Promise<{ all: string; log: string; code: number | null }> {
  const slack: FakeSlack = await startFakeSlack({ botToken: 'xoxb-test', appToken: 'xapp-test' });
  const child = spawn(process.execPath, [path.join(repo, 'bin/docent.js'), 'start', '--data-dir', dataDir], {
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
  let all = '';
  try {
    await slack.waitFor(() => log.includes('Docent is running') || child.exitCode !== null, { timeoutMs: 90_000, what: 'docent start to be running' });
    if (child.exitCode !== null) throw new Error(`docent start exited: ${log.slice(-2000)}`);
    const sent = slack.sendEvent({ type: 'app_mention', text: `<@${slack.ids.botUserId}> where should I install a temperature logger in a stream?` });
    const final = () => {
      const replies = slack.state.botReplies(sent.channel!, sent.ts!);
      const last = replies.at(-1);
      return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') ? replies : undefined;
    };
    await slack.waitFor(() => final() !== undefined, { timeoutMs: 30_000, what: 'a cited answer in the thread' });
    all = JSON.stringify(final()!.map((m) => ({ text: m.text, blocks: m.blocks })));
  } finally {
    child.kill('SIGTERM');
    await slack.close();
  }
  const code = await exited; // the log is complete only once the process has gone
  return { all, log, code };
}

const logLines = (log: string) => log.split('\n').flatMap((l) => {
  try {
    return l.startsWith('{') ? [JSON.parse(l) as { level: number; msg: string }] : [];
  } catch {
    return [];
  }
});

describe('docent start and a damaged or unwritable activity log', () => {
  it('starts over an answers.jsonl with a truncated last line, answers, and leaves a readable log', async () => {
    mkdirSync(activity, { recursive: true });
    const earlier = { answerId: 'earlier', at: new Date().toISOString(), question: 'q', searchQuery: 'q', backend: 'extractive', cached: false, notFound: false, citations: [] };
    writeFileSync(path.join(activity, 'answers.jsonl'), `${JSON.stringify(earlier)}\n{"answerId":"cut-by-a-cra`);
    const { all, log, code } = await startAndAsk();
    const warned = logLines(log).some((l) => l.msg === 'skipped unreadable lines in the activity log');
    const lines = readFileSync(path.join(activity, 'answers.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { answerId: string; question: string });
    const fileMode = (statSync(path.join(activity, 'answers.jsonl')).mode & 0o777).toString(8);
    observe('activity/truncated answers.jsonl line at start', `exit ${code}; ${/Field Manual/.test(all) ? 'answered with sources' : 'no cited answer'}; ${warned ? 'warned' : 'no warning'}; answers.jsonl: ${lines.length} parseable lines, mode ${fileMode}`);
    expect(all).toMatch(/Field Manual/);
    expect(code, log.slice(-2000)).toBe(0);
    expect(warned).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.answerId).toBe('earlier');
    expect(lines[1]!.question).toBe('where should I install a temperature logger in a stream?');
    expect(fileMode).toBe('600');
  }, 150_000);

  it('answers with sources and feedback buttons when the activity folder cannot be written', async () => {
    // As root a 0500 folder is still writable, so the folder's place is taken by a file: nothing can be created there.
    rmSync(activity, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(activity, 'not a folder');
    const { all, log, code } = await startAndAsk();
    const errors = logLines(log).filter((l) => l.level >= 50).map((l) => l.msg);
    observe('activity/activity folder not writable', `exit ${code}; ${/Field Manual/.test(all) && all.includes('docent:fb:up:') ? 'answered with sources and feedback buttons' : 'no cited answer'}; logged: ${[...new Set(errors)].join(' / ')}`);
    expect(all).toMatch(/Field Manual/);
    expect(all).toMatch(/page 2/);
    expect(code, log.slice(-2000)).toBe(0);
    expect(errors).toContain('activity log folder is not usable; answers are not recorded');
    expect(errors).toContain('could not write the activity log; the answer was not recorded');
  }, 150_000);
});
