import { spawn } from 'node:child_process';
import path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../..');
export const bin = path.join(repo, 'bin/docent.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `docent` bin (not a TTY: pipes) with a clean environment — HOME in `work`, warn-level JSON logs,
 * the no-download embedder — plus `env`; `stdin` is written and closed. Never rejects on a non-zero exit.
 */
export function runDocent(work: string, args: string[], o: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'warn', LOG_PRETTY: 'never', EMBEDDER: 'word-vectors', ...o.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(o.stdin ?? '');
  });
}

/**
 * The same on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are all the TTY, so the output
 * is what a person sees. `script` has no separate stderr; everything is in `stdout`. Input is fed with pauses
 * (`steps`: [delay ms, text]) so each line arrives after the previous answer.
 */
export function runDocentTty(work: string, args: string[], o: { env?: Record<string, string>; steps?: Array<[number, string]> } = {}): Promise<Run> {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', quoted, '/dev/null'], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: work, TERM: 'dumb', EMBEDDER: 'word-vectors', ...o.env },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.replace(/\r/g, ''), stderr: '' });
    });
    void (async () => {
      for (const [ms, text] of o.steps ?? []) {
        await new Promise((r) => setTimeout(r, ms));
        child.stdin.write(text);
      }
      // Ctrl-D on the terminal: end of input for the chat.
      if (o.steps) child.stdin.write('\u0004');
    })();
  });
}
