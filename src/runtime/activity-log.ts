import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Feedback } from '../../commands/services.js';
import type { Citation } from '../core/answer/types.js';

export interface AnswerRecord {
  answerId: string;
  at: string;
  question: string;
  searchQuery: string;
  backend: string;
  cached: boolean;
  notFound: boolean;
  citations: Array<Pick<Citation, 'n' | 'title' | 'sourceId' | 'page'>>;
}

/**
 * Answers and feedback, appended as JSON lines under `<dataDir>/activity/`: who asked what, what was cited,
 * and how people rated it — for `status` counts and for whoever improves the catalog. Feedback lines repeat
 * the question and sources so each line stands alone.
 */
export class ActivityLog {
  private answers = 0;
  private up = 0;
  private down = 0;
  private readonly recent = new Map<string, AnswerRecord>();

  private constructor(private readonly dir: string) {}

  static async open(dataDir: string): Promise<ActivityLog> {
    const log = new ActivityLog(path.join(dataDir, 'activity'));
    await mkdir(log.dir, { recursive: true });
    for (const line of await readLines(path.join(log.dir, 'answers.jsonl'))) {
      log.answers++;
      log.remember(JSON.parse(line) as AnswerRecord);
    }
    for (const line of await readLines(path.join(log.dir, 'feedback.jsonl'))) {
      if ((JSON.parse(line) as Feedback).vote === 'up') log.up++;
      else log.down++;
    }
    return log;
  }

  async recordAnswer(r: AnswerRecord): Promise<void> {
    this.answers++;
    this.remember(r);
    await appendFile(path.join(this.dir, 'answers.jsonl'), `${JSON.stringify(r)}\n`);
  }

  async recordFeedback(f: Feedback): Promise<void> {
    const answer = this.recent.get(f.answerId);
    const line = { at: new Date().toISOString(), ...f, question: answer?.question ?? null, sources: answer?.citations ?? [] };
    if (f.vote === 'up') this.up++;
    else this.down++;
    await appendFile(path.join(this.dir, 'feedback.jsonl'), `${JSON.stringify(line)}\n`);
  }

  counts(): { answers: number; feedback: { up: number; down: number } } {
    return { answers: this.answers, feedback: { up: this.up, down: this.down } };
  }

  /** Keeps the last few thousand answers in memory so feedback can name its question and sources. */
  private remember(r: AnswerRecord): void {
    this.recent.set(r.answerId, r);
    if (this.recent.size > 5000) this.recent.delete(this.recent.keys().next().value!);
  }
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim());
  } catch {
    return [];
  }
}
