import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (the folder with package.json), from the sources or the compiled build alike. */
export function repoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'config'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}
