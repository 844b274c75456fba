import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The CLI end-to-end tests run the real `docent` bin, which runs the compiled build: compile once per test
 * run so they never test a stale dist/.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
