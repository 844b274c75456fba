/**
 * The activity log on a real file system: it never throws (a full disk, a folder it cannot write), skips bad
 * lines with a warning, keeps its files private (0600), drops records past the retention at start and daily,
 * stores user ids as a keyed hash, and counts one vote per person per answer, only for answers it knows.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActivityLog, type ActivityLogger, type ActivityOptions, type AnswerRecord } from '../../src/runtime/activity-log.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-activity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(work, `d${++n}`);

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');

function record(answerId: string, at = new Date(T0).toISOString()): AnswerRecord {
  return { answerId, at, question: `question ${answerId}`, searchQuery: 'q', backend: 'extractive', cached: false, notFound: false, citations: [{ n: 1, title: 'Guide', sourceId: 'guide.md', page: null }] };
}

function capture(): ActivityLogger & { lines: Array<{ level: string; obj: object; msg?: string | undefined }> } {
  const lines: Array<{ level: string; obj: object; msg?: string | undefined }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

function options(over: Partial<ActivityOptions> = {}): ActivityOptions {
  return { retentionDays: 30, hashUsers: true, hashKey: '', now: () => T0, ...over };
}

const readJsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const mode = (file: string) => statSync(file).mode & 0o777;

describe('activity log', () => {
  it('skips a truncated line with a warning, keeps counting, and the next record starts on a line of its own', async () => {
    const dataDir = freshDir();
    mkdirSync(path.join(dataDir, 'activity'), { recursive: true });
    const answers = path.join(dataDir, 'activity/answers.jsonl');
    // A crash mid-append: the last line is cut and has no newline.
    writeFileSync(answers, `${JSON.stringify(record('a1'))}\n${JSON.stringify(record('a2')).slice(0, 40)}`, { mode: 0o644 });
    const logger = capture();
    const log = await ActivityLog.open(dataDir, options({ logger }));
    expect(log.counts().answers).toBe(1);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'skipped unreadable lines in the activity log' }));
    log.recordAnswer(record('a3'));
    await log.close();
    // The bad line is gone (the start-up pass rewrote the file) and every line parses.
    expect(readJsonl(answers).map((r) => r.answerId)).toEqual(['a1', 'a3']);
    expect(mode(answers)).toBe(0o600);
    expect(mode(path.join(dataDir, 'activity'))).toBe(0o700);
    expect((await ActivityLog.open(dataDir, options())).counts().answers).toBe(2);
  });

  it('creates its files with mode 0600, the hash key too', async () => {
    const dataDir = freshDir();
    const log = await ActivityLog.open(dataDir, options());
    log.recordAnswer(record('a1'));
    await log.recordFeedback({ answerId: 'a1', vote: 'up', userId: 'U1', platform: 'slack' });
    await log.close();
    for (const f of ['answers.jsonl', 'feedback.jsonl', 'user-hash.key']) expect(mode(path.join(dataDir, 'activity', f)), f).toBe(0o600);
  });

  it('stores a keyed hash of user ids (stable across restarts), raw ids only when hashing is off', async () => {
    const dataDir = freshDir();
    const first = await ActivityLog.open(dataDir, options());
    first.recordAnswer(record('a1'));
    first.recordAnswer(record('a2'));
    await first.recordFeedback({ answerId: 'a1', vote: 'up', userId: 'U-alice', platform: 'slack' });
    await first.close();
    const second = await ActivityLog.open(dataDir, options());
    await second.recordFeedback({ answerId: 'a2', vote: 'down', userId: 'U-alice', platform: 'slack' });
    await second.close();
    const text = readFileSync(path.join(dataDir, 'activity/feedback.jsonl'), 'utf8');
    expect(text).not.toContain('U-alice');
    const lines = readJsonl(path.join(dataDir, 'activity/feedback.jsonl'));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.user).toMatch(/^h:[0-9a-f]{32}$/);
    expect(lines[1]!.user).toBe(lines[0]!.user); // the same person, recognisably, without the id
    expect(lines[0]).toMatchObject({ answerId: 'a1', vote: 'up', platform: 'slack', question: 'question a1' });
    // A configured key (ACTIVITY_HASH_KEY) gives the same hash in another install; another key does not.
    const hashWith = async (hashKey: string) => {
      const dir = freshDir();
      const log = await ActivityLog.open(dir, options({ hashKey }));
      log.recordAnswer(record('x'));
      await log.recordFeedback({ answerId: 'x', vote: 'up', userId: 'U-alice', platform: 'slack' });
      await log.close();
      expect(existsSync(path.join(dir, 'activity/user-hash.key'))).toBe(false);
      return readJsonl(path.join(dir, 'activity/feedback.jsonl'))[0]!.user;
    };
    expect(await hashWith('k1')).toBe(await hashWith('k1'));
    expect(await hashWith('k1')).not.toBe(await hashWith('k2'));
    const raw = freshDir();
    const off = await ActivityLog.open(raw, options({ hashUsers: false }));
    off.recordAnswer(record('a1'));
    await off.recordFeedback({ answerId: 'a1', vote: 'up', userId: 'U-alice', platform: 'slack' });
    await off.close();
    expect(readJsonl(path.join(raw, 'activity/feedback.jsonl'))[0]!.user).toBe('U-alice');
  });

  it('hashes the raw user ids an older version wrote, at start', async () => {
    const dataDir = freshDir();
    mkdirSync(path.join(dataDir, 'activity'), { recursive: true });
    writeFileSync(path.join(dataDir, 'activity/answers.jsonl'), `${JSON.stringify(record('a1'))}\n`);
    writeFileSync(path.join(dataDir, 'activity/feedback.jsonl'), `${JSON.stringify({ at: new Date(T0).toISOString(), answerId: 'a1', vote: 'up', userId: 'U-bob', platform: 'discord', question: 'q', sources: [] })}\n`);
    const log = await ActivityLog.open(dataDir, options());
    // The same person voting again now is recognised as the same vote.
    await log.recordFeedback({ answerId: 'a1', vote: 'up', userId: 'U-bob', platform: 'discord' });
    expect(log.counts().feedback).toEqual({ up: 1, down: 0 });
    await log.close();
    const text = readFileSync(path.join(dataDir, 'activity/feedback.jsonl'), 'utf8');
    expect(text).not.toContain('U-bob');
    expect(readJsonl(path.join(dataDir, 'activity/feedback.jsonl'))).toHaveLength(1);
  });

  it('counts one vote per person per answer; a changed vote replaces the old one; unknown answers are not counted', async () => {
    const dataDir = freshDir();
    const log = await ActivityLog.open(dataDir, options());
    log.recordAnswer(record('a1'));
    for (let i = 0; i < 20; i++) await log.recordFeedback({ answerId: 'a1', vote: 'up', userId: 'U1', platform: 'discord' });
    expect(log.counts().feedback).toEqual({ up: 1, down: 0 });
    // The same id on another platform is another person.
    await log.recordFeedback({ answerId: 'a1', vote: 'up', userId: 'U1', platform: 'slack' });
    expect(log.counts().feedback).toEqual({ up: 2, down: 0 });
    expect(await log.recordFeedback({ answerId: 'a1', vote: 'down', userId: 'U1', platform: 'discord' })).toBe('changed');
    expect(log.counts().feedback).toEqual({ up: 1, down: 1 });
    expect(await log.recordFeedback({ answerId: 'forged', vote: 'up', userId: 'U2', platform: 'discord' })).toBe('unknown-answer');
    expect(log.counts().feedback).toEqual({ up: 1, down: 1 });
    await log.close();
    // After a restart the counts are the same, and the start-up pass keeps one line per person and answer.
    const again = await ActivityLog.open(dataDir, options());
    expect(again.counts().feedback).toEqual({ up: 1, down: 1 });
    await again.close();
    const lines = readJsonl(path.join(dataDir, 'activity/feedback.jsonl'));
    expect(lines.map((l) => [l.platform, l.vote])).toEqual([['slack', 'up'], ['discord', 'down']]);
  });

  it('drops records past the retention at start and on the daily pass, with their feedback', async () => {
    const dataDir = freshDir();
    mkdirSync(path.join(dataDir, 'activity'), { recursive: true });
    const old = new Date(T0 - 40 * DAY).toISOString();
    writeFileSync(path.join(dataDir, 'activity/answers.jsonl'), [record('old', old), record('new')].map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeFileSync(path.join(dataDir, 'activity/feedback.jsonl'), `${JSON.stringify({ at: old, answerId: 'old', vote: 'up', user: 'h:1', platform: 'slack', question: 'q', sources: [] })}\n`);
    let now = T0;
    const log = await ActivityLog.open(dataDir, options({ now: () => now }));
    expect(log.counts()).toEqual({ answers: 1, feedback: { up: 0, down: 0 } });
    expect(readJsonl(path.join(dataDir, 'activity/answers.jsonl')).map((r) => r.answerId)).toEqual(['new']);
    expect(readJsonl(path.join(dataDir, 'activity/feedback.jsonl'))).toEqual([]);
    await log.recordFeedback({ answerId: 'new', vote: 'up', userId: 'U1', platform: 'slack' });
    // 31 days later, the daily pass drops the rest.
    now = T0 + 31 * DAY;
    await log.prune();
    expect(log.counts()).toEqual({ answers: 0, feedback: { up: 0, down: 0 } });
    expect(readJsonl(path.join(dataDir, 'activity/answers.jsonl'))).toEqual([]);
    expect(readJsonl(path.join(dataDir, 'activity/feedback.jsonl'))).toEqual([]);
    expect(await log.recordFeedback({ answerId: 'new', vote: 'up', userId: 'U1', platform: 'slack' })).toBe('unknown-answer');
    await log.close();
  });

  it('never throws when it cannot write: a full disk and a folder that is not writable are logged once', async () => {
    // A full disk: the answers file is a link to /dev/full (every write fails with ENOSPC).
    const full = freshDir();
    mkdirSync(path.join(full, 'activity'), { recursive: true });
    symlinkSync('/dev/full', path.join(full, 'activity/answers.jsonl'));
    const fullLogger = capture();
    const onFull = await ActivityLog.open(full, options({ logger: fullLogger }));
    onFull.recordAnswer(record('a1'));
    onFull.recordAnswer(record('a2'));
    await onFull.flush();
    // The answers are still known (feedback on them counts); the failure is logged once, with its code.
    await expect(onFull.recordFeedback({ answerId: 'a2', vote: 'up', userId: 'U1', platform: 'slack' })).resolves.toBe('recorded');
    const errors = fullLogger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'could not write the activity log; the answer was not recorded', obj: { err: expect.objectContaining({ code: 'ENOSPC' }) } });
    await onFull.close();
    expect(mode('/dev/full')).toBe(0o666); // never chmod-ed through the link

    // A folder that cannot be written: `activity` is a file (as root, a 0500 folder would still be writable).
    const blocked = freshDir();
    mkdirSync(blocked, { recursive: true });
    writeFileSync(path.join(blocked, 'activity'), 'not a folder');
    const blockedLogger = capture();
    const onBlocked = await ActivityLog.open(blocked, options({ logger: blockedLogger }));
    onBlocked.recordAnswer(record('a1'));
    await expect(onBlocked.recordFeedback({ answerId: 'a1', vote: 'down', userId: 'U1', platform: 'discord' })).resolves.toBe('recorded');
    await expect(onBlocked.prune()).resolves.toBeUndefined();
    await onBlocked.close();
    expect(blockedLogger.lines.some((l) => l.level === 'error')).toBe(true);
    expect(onBlocked.counts()).toEqual({ answers: 1, feedback: { up: 0, down: 1 } });
  });

  it('tightens the mode of files an older version left world-readable', async () => {
    const dataDir = freshDir();
    mkdirSync(path.join(dataDir, 'activity'), { recursive: true, mode: 0o755 });
    chmodSync(path.join(dataDir, 'activity'), 0o755);
    writeFileSync(path.join(dataDir, 'activity/answers.jsonl'), `${JSON.stringify(record('a1'))}\n`, { mode: 0o644 });
    writeFileSync(path.join(dataDir, 'activity/feedback.jsonl'), '', { mode: 0o644 });
    const log = await ActivityLog.open(dataDir, options());
    await log.close();
    expect(mode(path.join(dataDir, 'activity'))).toBe(0o700);
    expect(mode(path.join(dataDir, 'activity/answers.jsonl'))).toBe(0o600);
    expect(mode(path.join(dataDir, 'activity/feedback.jsonl'))).toBe(0o600);
  });
});
