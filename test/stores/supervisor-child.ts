/**
 * Run by chroma-supervisor.test.ts as a separate process (`node --import tsx`): starts a Chroma server,
 * prints its pid as JSON, then idles until a signal (or a SIGKILL) ends it. Not a test file itself.
 */
import pino from 'pino';
import { startChromaServer } from '../../src/stores/chroma-supervisor.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: supervisor-child.ts <dataDir>');
const handle = await startChromaServer({ dataDir, logger: pino({ level: 'silent' }) });
process.stdout.write(`${JSON.stringify({ pid: handle.pid, url: handle.url })}\n`);
setInterval(() => {}, 60_000);
