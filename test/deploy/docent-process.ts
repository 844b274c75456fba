/**
 * Helpers for the deployment tests: a `docent` process (through the container entrypoint or the bin) with its
 * combined log, and resident memory read from /proc (Linux; undefined elsewhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { FakeSlack } from '../fakes/fake-slack/index.js';

export interface DocentProcess {
  child: ChildProcess;
  readonly log: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnDocent(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): DocentProcess {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    get log() {
      return log;
    },
    exited,
  };
}

/** The JSON log lines (pino) of a combined log; other lines are ignored. */
export function jsonLines(log: string): Array<Record<string, unknown>> {
  return log.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export function rssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Pids whose parent is `pid` (Linux /proc; empty elsewhere). */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => {
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may contain spaces).
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Mentions the bot and waits for the final reply (the one carrying the feedback buttons); returns its JSON. */
export async function askBySlack(slack: FakeSlack, question: string, timeoutMs = 30_000): Promise<string> {
  const sent = slack.sendEvent({ type: 'app_mention', text: `<@${slack.ids.botUserId}> ${question}` });
  const final = await slack.waitFor(
    () => {
      const last = slack.state.botReplies(sent.channel!, sent.ts!).at(-1);
      return last && JSON.stringify(last.blocks ?? []).includes('docent:fb:up:') ? last : undefined;
    },
    { timeoutMs, what: 'a cited answer in the thread' },
  );
  return JSON.stringify({ text: final.text, blocks: final.blocks });
}
