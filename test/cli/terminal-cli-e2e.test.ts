/**
 * The terminal and CLI as a new user meets them (issue 18, "Terminal and CLI"), through the real `docent` bin on
 * temp data dirs: usage errors, `--version`, no index, a missing source, remembered sources, the index lock,
 * the chat's own commands, and — on a pseudo-terminal — no log lines or stacks on the screen.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, runDocent, runDocentTty } from '../helpers/run-docent.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('skipping the pseudo-terminal tests: util-linux `script` is absent');

let work: string;
let guides: string;
let catalog: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'docent-term-'));
  guides = path.join(work, 'guides');
  catalog = path.join(work, 'catalog');
  cpSync(path.join(repo, 'data/sample/guides'), guides, { recursive: true });
  cpSync(path.join(repo, 'data/sample/catalog'), catalog, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dir = (name: string) => path.join(work, name);
/** A stack frame line, as `err.stack` or pino's `err` print it. */
const STACK = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

describe('usage errors and --version', () => {
  it('rejects bad flag values with one line naming the flag and the valid values, exit 2', async () => {
    for (const [args, expected] of [
      [['search', 'x', '--k', 'abc'], /--k <n>.*'abc' is invalid.*whole number from 1 to 100/],
      [['search', 'x', '--kind', 'foo'], /--kind <kind\.\.\.>.*'foo' is invalid.*pdf, markdown, text, html, dcat, fgdc/],
      [['search', 'x', '--mode', 'fuzzy'], /--mode <mode>.*'fuzzy' is invalid.*keyword, vector, hybrid/],
    ] as const) {
      const r = await runDocent(work, [...args, '--data-dir', dir('empty')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(expected);
      expect(r.stdout).not.toMatch(/No matches/);
    }
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    const r = await runDocent(work, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('names the valid LLM_CHAIN values', async () => {
    const r = await runDocent(work, ['status', '--data-dir', dir('empty')], { env: { LLM_CHAIN: 'foo' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/LLM_CHAIN.*must be auto, or a comma-separated list of hf, openai, ollama, extractive/);
  });
});

describe('without an index', () => {
  it('search and ask say to run `docent index` without loading a model', async () => {
    for (const args of [['search', 'temperature'], ['ask', 'where are the loggers?']]) {
      // EMBEDDER auto would download a model first; the check comes before it (no models folder appears).
      const r = await runDocent(work, [...args, '--data-dir', dir('no-index')], { env: { EMBEDDER: 'auto', HF_HUB_OFFLINE: '1' } });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/^docent: No index found in .*no-index\. — Run `docent index` first\.\n$/);
      expect(existsSync(path.join(dir('no-index'), 'models'))).toBe(false);
    }
  });
});

describe('docent index', () => {
  it('names the missing source, why and the fix in one line, exit 2, no stack', async () => {
    const r = await runDocent(work, ['index', '--source', path.join(work, 'nowhere'), '--data-dir', dir('missing')]);
    expect(r.code).toBe(2);
    // Not a terminal, so the log (JSON) is on stderr too; the person's line is one, naming the path and the fix.
    expect(r.stderr.split('\n').filter((l) => !l.startsWith('{"level"') && l)).toEqual([expect.stringMatching(new RegExp(`^docent: No documents could be loaded .*${path.join(work, 'nowhere')} — not found.* — Check the paths or URLs`))]);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('remembers the sources it indexed; a plain run reuses them and will not drop them silently', async () => {
    const data = dir('remember');
    const first = await runDocent(work, ['index', '--source', guides, '--data-dir', data]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Built index version 1: 3 documents/);
    // A plain run (no --source, configuration unchanged) reads the guides again, not the sample catalog.
    const plain = await runDocent(work, ['index', '--data-dir', data]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/Nothing changed; index version 1 kept: 3 documents/);
    expect(plain.stdout).toContain(`${guides}: 3 documents`);
    // SOURCES says otherwise: the run would drop the guides, so it stops and says how to go on.
    const changed = await runDocent(work, ['index', '--data-dir', data], { env: { SOURCES: catalog } });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(new RegExp(`this would remove ${guides} \\(3 documents\\) from the index`));
    expect(changed.stderr).toMatch(/--replace\W+\(or --yes\)/);
    const replaced = await runDocent(work, ['index', '--yes', '--data-dir', data], { env: { SOURCES: catalog } });
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/Built index version 2: 10 documents/);
    expect(replaced.stdout).toContain(`Note: removed from the index: ${guides} (3 documents)`);
    // SOURCES was this run's say, not the configuration's: a plain run afterwards repeats it and drops nothing.
    const after = await runDocent(work, ['index', '--data-dir', data]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/Nothing changed; index version 2 kept: 10 documents/);
    // --source names the sources outright; what it drops is reported.
    const named = await runDocent(work, ['index', '--source', guides, '--data-dir', data]);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain(`Note: removed from the index: ${catalog} (10 documents) (not among --source)`);
  });

  it('runs one index at a time per data dir: a second concurrent run stops naming the first one\'s pid', async () => {
    const data = dir('lock');
    const both = await Promise.all([0, 1].map(() => runDocent(work, ['index', '--source', guides, '--data-dir', data])));
    const codes = both.map((r) => r.code).sort();
    expect(codes).toEqual([0, 2]);
    const loser = both.find((r) => r.code === 2)!;
    expect(loser.stderr).toMatch(/docent: another index run \(docent index, pid \d+, started .*\) is using/);
    expect(loser.stderr).toMatch(/--wait/);
    // With --wait both finish, one after the other: the second finds nothing changed (no lost version).
    const waited = await Promise.all([0, 1].map(() => runDocent(work, ['index', '--wait', '--source', guides, '--data-dir', data])));
    expect(waited.map((r) => r.code)).toEqual([0, 0]);
    expect(waited.map((r) => r.stdout).join('\n')).toMatch(/Nothing changed; index version 1 kept/);
    expect(existsSync(path.join(data, 'index', 'index.lock'))).toBe(false);
  });

  it('breaks a lock whose process is gone, and names a live holder', async () => {
    const data = dir('stale');
    mkdirSync(path.join(data, 'index'), { recursive: true });
    const lock = path.join(data, 'index', 'index.lock');
    // A live holder: a sleeping child process.
    const sleeper = spawn('sleep', ['60']);
    try {
      writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, host: os.hostname(), startedAt: new Date().toISOString(), what: 'docent index' }));
      const held = await runDocent(work, ['index', '--source', guides, '--data-dir', data]);
      expect(held.code).toBe(2);
      expect(held.stderr).toContain(`pid ${sleeper.pid}`);
    } finally {
      sleeper.kill();
    }
    await new Promise((r) => sleeper.once('exit', r));
    // Its process is gone now: the lock is stale and the run goes ahead.
    const r = await runDocent(work, ['index', '--source', guides, '--data-dir', data]);
    expect(r.code).toBe(0);
  });
});

describe('the terminal chat', () => {
  it(':help lists the terminal commands, /status is :status, and replies are plain text', async () => {
    const data = dir('chat');
    expect((await runDocent(work, ['index', '--source', guides, '--data-dir', data])).code).toBe(0);
    const r = await runDocent(work, ['chat', '--data-dir', data], { stdin: ':help\n/status\n:status\n:sources\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/:status\s+Index size/);
    expect(r.stdout).toMatch(/:quit\s+leave/);
    const help = r.stdout.slice(0, r.stdout.indexOf('Docent status'));
    expect(help).not.toMatch(/\/ask|👍|thread/);
    // Both the alias and the command print the status, not an answer.
    expect(r.stdout.match(/Docent status/g)).toHaveLength(2);
    expect(r.stdout).not.toMatch(/Excerpts from the catalog/);
    expect(r.stdout).not.toMatch(/\*\*|`/);
    expect(r.stdout).toContain(`${guides} — 3 documents`);
  });

  it(':reindex reads the sources of the last index (here --source), not the configured sample catalog', async () => {
    const data = dir('chat-reindex');
    expect((await runDocent(work, ['index', '--source', guides, '--data-dir', data])).code).toBe(0);
    const r = await runDocent(work, ['chat', '--data-dir', data], { stdin: ':reindex\n:sources\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing changed; version 1 kept — 3 documents/);
    expect(r.stdout).not.toMatch(/removed from the index/);
    expect(r.stdout).toContain(`${guides} — 3 documents`);
  });
});

describe.skipIf(!hasScript)('on a terminal (pseudo-terminal)', () => {
  it('docent index with a missing source prints only the polite lines; the log goes to a 0600 file', async () => {
    const data = dir('tty-missing');
    const r = await runDocentTty(work, ['index', '--source', path.join(work, 'nowhere'), '--data-dir', data]);
    expect(r.code).toBe(2);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^docent: No documents could be loaded .*nowhere — not found.* — Check the paths or URLs/)]);
    const log = path.join(data, 'logs', 'docent.log');
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(readFileSync(log, 'utf8')).toMatch(/"code":"index_empty"/);
  });

  it('the chat with its LLM backend down shows the answer and its note, no log line or stack', async () => {
    const data = dir('tty-chat');
    expect((await runDocent(work, ['index', '--source', guides, '--data-dir', data])).code).toBe(0);
    const r = await runDocentTty(work, ['chat', '--data-dir', data], {
      // A closed port: every call to the backend fails, and the excerpts answer.
      env: { LLM_CHAIN: 'openai,extractive', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_MODEL: 'm', OPENAI_API_KEY: 'x', LOG_LEVEL: 'info' },
      steps: [[3000, 'where are the temperature loggers?\n'], [6000, ':status\n']],
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Excerpts from the catalog/);
    expect(r.stdout).toMatch(/Sources:\n\s+\[1\]/);
    // The note that the model was unavailable, as words: no chat italics marks on a terminal.
    expect(r.stdout).toMatch(/\nNote: .*unavailable.*answered by excerpts from the catalog\./);
    expect(r.stdout).not.toContain('_Note');
    // The note names what failed, not where: the backend's address is the operator's (banner, status, log).
    const note = r.stdout.split('\n').find((l) => l.startsWith('Note: '))!;
    expect(note).toMatch(/^Note: openai:m was unavailable \(cannot reach its endpoint/);
    expect(note).not.toContain('127.0.0.1');
    expect(r.stdout).toMatch(/Docent status/);
    expect(r.stdout).not.toMatch(/"level":|\bINFO\b|\bWARN\b|\bERROR\b/);
    expect(r.stdout).not.toMatch(STACK);
    expect(readFileSync(path.join(data, 'logs', 'docent.log'), 'utf8')).toMatch(/"level":/);
  });
});
