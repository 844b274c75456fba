import { createHmac, randomBytes } from 'node:crypto';
import { parseJsonLines } from './json-lines.js';
import { appendFile, chmod, lstat, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Feedback, FeedbackOutcome } from '../../commands/services.js';
import type { Citation, FinishInfo } from '../core/answer/types.js';
import { LRUCache } from 'lru-cache';

export interface AnswerRecord {
  answerId: string;
  at: string;
  question: string;
  searchQuery: string;
  backend: string;
  cached: boolean;
  notFound: boolean;
  citations: Array<Pick<Citation, 'n' | 'title' | 'sourceId' | 'page'> & { url?: string | null }>;
  /** For `docent insights`; absent in older lines. Where it was asked, backends that failed first, a not-found answer's closest records, the error code of a failed one (then no answer), the asker's hashed id. */
  surface?: string; fallbacks?: string[]; nearest?: FinishInfo['nearest']; error?: string; user?: string;
}

/** One line of feedback.jsonl. `user` is a keyed hash of platform + user id (`h:…`) unless hashing is off. */
export interface FeedbackLine {
  at: string;
  answerId: string;
  vote: 'up' | 'down';
  user: string;
  platform: string;
  question: string | null;
  sources: AnswerRecord['citations'];
}

/** The subset of a pino logger the activity log uses. */
export interface ActivityLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ActivityOptions {
  /** Records older than this are dropped at start and once a day. */
  retentionDays: number;
  /** Store a keyed hash of each user id instead of the id (default on). */
  hashUsers: boolean;
  /** The hash key; empty: a random per-install key kept in `<dataDir>/activity/user-hash.key`. */
  hashKey: string;
  logger?: ActivityLogger | undefined;
  /** Clock (ms); tests pin it. */
  now?: () => number;
}

/** What happened to a vote. */
export type { FeedbackOutcome };

const DAY_MS = 86_400_000;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Answers whose question and sources are kept in memory, so a feedback line can repeat them. */
const RECENT_RECORDS = 5000;

/**
 * Answers and feedback, as JSON lines under `<dataDir>/activity/` (mode 0600): what was asked, what was cited, and
 * how people rated it — for `status` counts and for whoever improves the catalog.
 *
 * It never hurts an answer: nothing here throws to its callers. A file that cannot be read or written (a full
 * disk, a read-only volume) is logged and the answer goes on; an unreadable line is skipped with a warning.
 * Records older than `retentionDays` are dropped at start and daily. User ids are stored as a keyed hash unless
 * hashing is turned off. Feedback counts one vote per person per answer (a changed vote replaces the old one)
 * and only for answers this log knows.
 */
export class ActivityLog {
  /** Answer id → when it was given (ms): the answers that exist, for feedback and retention. */
  private readonly answers = new Map<string, number>();
  private readonly recent = new LRUCache<string, AnswerRecord>({ max: RECENT_RECORDS });
  /** `answerId \0 user` → vote. */
  private readonly votes = new Map<string, 'up' | 'down'>();
  private up = 0;
  private down = 0;
  /** Writes and rewrites, one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();
  /** Files whose last line may be cut (a crash mid-append): the next append starts a new line first. */
  private readonly unterminated = new Set<string>();
  private failing = false;
  private lost = 0;
  private timer: NodeJS.Timeout | undefined;
  private key: Buffer = randomBytes(32);
  private readonly now: () => number;
  private readonly log: ActivityLogger | undefined;

  private constructor(private readonly dir: string, private readonly opts: ActivityOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger;
  }

  private get answersFile(): string {
    return path.join(this.dir, 'answers.jsonl');
  }

  private get feedbackFile(): string {
    return path.join(this.dir, 'feedback.jsonl');
  }

  /** Opens (and creates) the log, reads what is there, applies retention and starts the daily pass. Never throws. */
  static async open(dataDir: string, opts: ActivityOptions): Promise<ActivityLog> {
    const log = new ActivityLog(path.join(dataDir, 'activity'), opts);
    try {
      await mkdir(log.dir, { recursive: true, mode: DIR_MODE });
      await restrict(log.dir, DIR_MODE);
    } catch (err) {
      log.log?.error({ err, dir: log.dir }, 'activity log folder is not usable; answers are not recorded');
    }
    if (opts.hashUsers) log.key = await log.loadKey();
    await log.load();
    log.timer = setInterval(() => void log.prune(), DAY_MS);
    log.timer.unref();
    return log;
  }

  /** Makes an answer known before its record is written: feedback on it is accepted from now on. */
  announce(answerId: string, at: string): void {
    this.answers.set(answerId, Date.parse(at) || this.now());
  }

  /**
   * Registers a finished answer and appends it in the background (never throws). Call it after the answer's
   * `finish` part has been passed on.
   */
  recordAnswer(r: AnswerRecord, askerId?: string): void {
    if (askerId) r = { ...r, user: this.userKey(r.surface ?? 'unknown', askerId) };
    // A failed question (`error`) is kept for insights but is no answer: not counted, no feedback on it.
    if (!r.error) {
      this.answers.set(r.answerId, Date.parse(r.at) || this.now());
      this.remember(r);
    }
    this.append(this.answersFile, r);
  }

  /** Records a vote; one per person per answer (a changed vote replaces the old one). Never throws. */
  async recordFeedback(f: Feedback): Promise<FeedbackOutcome> {
    if (!this.answers.has(f.answerId)) {
      this.log?.warn({ answerId: f.answerId }, 'feedback for an answer the activity log does not know; not counted');
      return 'unknown-answer';
    }
    const user = this.userKey(f.platform, f.userId);
    const before = this.votes.get(voteKey(f.answerId, user));
    if (before === f.vote) return 'unchanged';
    this.count(f.answerId, user, f.vote);
    const answer = this.recent.peek(f.answerId); // peek: feedback does not keep a record longer
    const line: FeedbackLine = { at: new Date(this.now()).toISOString(), answerId: f.answerId, vote: f.vote, user, platform: f.platform, question: answer?.question ?? null, sources: answer?.citations ?? [] };
    this.append(this.feedbackFile, line);
    await this.flush();
    return before ? 'changed' : 'recorded';
  }

  counts(): { answers: number; feedback: { up: number; down: number } } {
    return { answers: this.answers.size, feedback: { up: this.up, down: this.down } };
  }

  /** Resolves once every record passed so far has been written (or has failed and been logged). */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Stops the daily retention pass and waits for pending writes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Drops records older than the retention from memory and from the files (also run daily). */
  prune(): Promise<void> {
    const cutoff = this.cutoff();
    for (const [id, at] of this.answers) {
      if (at >= cutoff) continue;
      this.answers.delete(id);
      this.recent.delete(id);
    }
    for (const [k, vote] of this.votes) {
      if (this.answers.has(k.slice(0, k.indexOf('\0')))) continue;
      this.votes.delete(k);
      if (vote === 'up') this.up--;
      else this.down--;
    }
    return this.enqueue(async () => {
      await this.rewrite(this.answersFile, (v) => (isAnswerRecord(v) && (Date.parse(v.at) || 0) >= cutoff ? v : undefined));
      await this.rewrite(this.feedbackFile, (v) => this.retainedFeedback(v, cutoff), true);
    }, 'could not apply the activity retention');
  }

  private cutoff(): number {
    return this.now() - this.opts.retentionDays * DAY_MS;
  }

  /** Reads both files into memory (skipping bad lines), then rewrites them if retention, hashing or dedup changed anything. */
  private async load(): Promise<void> {
    const cutoff = this.cutoff();
    const a = await this.readLines(this.answersFile);
    let dropped = a.bad;
    for (const v of a.values) {
      if (!isAnswerRecord(v)) {
        dropped++;
        continue;
      }
      const at = Date.parse(v.at) || 0;
      if (at < cutoff) {
        dropped++;
        continue;
      }
      if (v.error) continue; // kept in the file for insights, not an answer (see recordAnswer)
      this.answers.set(v.answerId, at);
      this.remember(v);
    }
    const f = await this.readLines(this.feedbackFile);
    let changed = f.bad;
    for (const v of f.values) {
      const line = this.retainedFeedback(v, cutoff);
      if (!line) {
        changed++;
        continue;
      }
      if (line.user !== (v as FeedbackLine).user) changed++;
      const key = voteKey(line.answerId, line.user);
      if (this.votes.has(key)) changed++; // an earlier vote of the same person, replaced
      this.count(line.answerId, line.user, line.vote);
    }
    if (a.bad + f.bad > 0) this.log?.warn({ file: this.dir, skipped: a.bad + f.bad }, 'skipped unreadable lines in the activity log');
    if (dropped > 0) await this.enqueue(() => this.rewrite(this.answersFile, (v) => (isAnswerRecord(v) && (Date.parse(v.at) || 0) >= cutoff ? v : undefined)), 'could not apply the activity retention');
    if (changed > 0) await this.enqueue(() => this.rewrite(this.feedbackFile, (v) => this.retainedFeedback(v, cutoff), true), 'could not apply the activity retention');
  }

  /** A feedback line in today's form (user hashed when hashing is on) when it is kept, else undefined. */
  private retainedFeedback(v: unknown, cutoff: number): FeedbackLine | undefined {
    if (!isFeedbackLike(v)) return undefined;
    if (!this.answers.has(v.answerId) || (Date.parse(v.at) || 0) < cutoff) return undefined;
    const raw = v.user ?? v.userId ?? '';
    // A line from before hashing (or written with hashing off) is hashed now, so raw ids leave the file.
    const user = this.opts.hashUsers && !raw.startsWith('h:') ? this.userKey(v.platform, raw) : raw;
    const { userId: _raw, ...rest } = v;
    return { ...rest, user, question: v.question ?? null, sources: v.sources ?? [] } as FeedbackLine;
  }

  private count(answerId: string, user: string, vote: 'up' | 'down'): void {
    const key = voteKey(answerId, user);
    const before = this.votes.get(key);
    if (before === 'up') this.up--;
    if (before === 'down') this.down--;
    this.votes.set(key, vote);
    if (vote === 'up') this.up++;
    else this.down++;
  }

  private userKey(platform: string, userId: string): string {
    if (!this.opts.hashUsers) return userId;
    return `h:${createHmac('sha256', this.key).update(`${platform}:${userId}`).digest('hex').slice(0, 32)}`;
  }

  /** The hash key: configured, else this install's key file (created once), else a key for this run only. */
  private async loadKey(): Promise<Buffer> {
    if (this.opts.hashKey) return Buffer.from(this.opts.hashKey, 'utf8');
    const file = path.join(this.dir, 'user-hash.key');
    try {
      const existing = (await readFile(file, 'utf8')).trim();
      if (/^[0-9a-f]{64}$/.test(existing)) return Buffer.from(existing, 'hex');
    } catch {
      // Not there yet: created below.
    }
    const key = randomBytes(32);
    try {
      await writeFile(file, `${key.toString('hex')}\n`, { mode: FILE_MODE, flag: 'wx' });
      return key;
    } catch (err) {
      // Another process created it first: use theirs.
      try {
        const theirs = (await readFile(file, 'utf8')).trim();
        if (/^[0-9a-f]{64}$/.test(theirs)) return Buffer.from(theirs, 'hex');
      } catch {
        // Fall through.
      }
      this.log?.warn({ err, file }, 'cannot keep the user-hash key; user ids are hashed with a key for this run only');
      return key;
    }
  }

  /** Every line of `file` parsed (bad lines counted), or none when it is missing or not a regular file. */
  private async readLines(file: string): Promise<{ values: unknown[]; bad: number }> {
    try {
      const s = await stat(file);
      if (!s.isFile()) {
        this.log?.warn({ file }, 'activity log file is not a regular file; not read');
        return { values: [], bad: 0 };
      }
      await restrict(file, FILE_MODE);
      const parsed = await parseJsonLines(file);
      if (s.size > 0 && !(await endsWithNewline(file, s.size))) this.unterminated.add(file);
      return parsed;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log?.error({ err, file }, 'cannot read the activity log; starting its counts from zero');
      return { values: [], bad: 0 };
    }
  }

  /** Rewrites `file` keeping what `keep` returns for each good line (the last line of a vote wins), atomically. */
  private async rewrite(file: string, keep: (v: unknown) => object | undefined, votes = false): Promise<void> {
    const { values } = await this.readLines(file);
    let kept = values.flatMap((v) => keep(v) ?? []);
    if (votes) {
      const last = new Map<string, number>();
      kept.forEach((v, i) => last.set(voteKey((v as FeedbackLine).answerId, (v as FeedbackLine).user), i));
      kept = kept.filter((v, i) => last.get(voteKey((v as FeedbackLine).answerId, (v as FeedbackLine).user)) === i);
    }
    const out = kept.map((v) => JSON.stringify(v));
    if (!this.unterminated.has(file) && out.length === values.length && out.every((l, i) => l === JSON.stringify(values[i]))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, out.map((l) => `${l}\n`).join(''), { mode: FILE_MODE });
      await rename(tmp, file);
      this.unterminated.delete(file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  private append(file: string, value: object): void {
    void this.enqueue(async () => {
      const lead = this.unterminated.has(file) ? '\n' : '';
      await appendFile(file, `${lead}${JSON.stringify(value)}\n`, { mode: FILE_MODE });
      this.unterminated.delete(file);
    }, 'could not write the activity log; the answer was not recorded');
  }

  /** Runs `work` after everything queued before it; a failure is logged (once per run of failures), never thrown. */
  private enqueue(work: () => Promise<void>, what: string): Promise<void> {
    this.queue = this.queue.then(work).then(
      () => {
        if (this.failing) this.log?.info({ dir: this.dir, lost: this.lost }, 'activity log writable again');
        this.failing = false;
        this.lost = 0;
      },
      (err: unknown) => {
        this.lost++;
        if (!this.failing) this.log?.error({ err, dir: this.dir }, what);
        this.failing = true;
      },
    );
    return this.queue;
  }

  /** Keeps the last few thousand answers in memory so feedback can name its question and sources. */
  private remember(r: AnswerRecord): void {
    this.recent.set(r.answerId, r);
  }
}

function voteKey(answerId: string, user: string): string {
  return `${answerId}\0${user}`;
}

function isAnswerRecord(v: unknown): v is AnswerRecord {
  const r = v as Partial<AnswerRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.answerId === 'string' && typeof r.at === 'string';
}

function isFeedbackLike(v: unknown): v is Partial<FeedbackLine> & { answerId: string; at: string; vote: 'up' | 'down'; platform: string; userId?: string } {
  const r = v as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.answerId === 'string' && typeof r.at === 'string' && (r.vote === 'up' || r.vote === 'down')
    && (typeof r.user === 'string' || typeof r.userId === 'string');
}

/** Lowers a file's or folder's mode to `mode` when it grants more (files from older versions were 0644). */
async function restrict(file: string, mode: number): Promise<void> {
  try {
    const s = await lstat(file);
    if ((s.isFile() || s.isDirectory()) && (s.mode & 0o777 & ~mode) !== 0) await chmod(file, mode);
  } catch {
    // A read-only volume: reported where writing fails.
  }
}

async function endsWithNewline(file: string, size: number): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0] === 0x0a;
  } finally {
    await fh.close();
  }
}
