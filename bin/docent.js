#!/usr/bin/env node
// The `docent` command. Runs the compiled build (made by `npm run build`, which `npm ci` runs as `prepare`):
// plain JavaScript loads faster and uses ~150 MB less memory than compiling on the fly. Without a build
// (a checkout where `prepare` did not run) it falls back to tsx on the TypeScript sources.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
