/**
 * Run by chroma-supervisor.test.ts as a separate process (`node --import tsx`): a stand-in for a `docent`
 * command — the CLI's signal policy (src/cli/signals.ts), then a Chroma server; prints the server's pid as JSON
 * and idles until a signal (or a SIGKILL) ends it. Not a test file itself.
 */
import pino from 'pino';
import { exitOnSignals } from '../../src/cli/signals.js';
import { startChromaServer } from '../../src/stores/chroma-supervisor.js';

exitOnSignals();

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: supervisor-child.ts <dataDir>');
const handle = await startChromaServer({ dataDir, logger: pino({ level: 'silent' }) });
process.stdout.write(`${JSON.stringify({ pid: handle.pid, url: handle.url })}\n`);
setInterval(() => {}, 60_000);
