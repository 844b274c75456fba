// Entry of the keyword-writer thread when Docent runs from its TypeScript sources (tsx, vitest): a worker thread
// starts without the parent's TypeScript loader, so it registers tsx before loading keyword-writer-thread.ts.
// The compiled build (dist/) starts keyword-writer-thread.js directly and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./keyword-writer-thread.ts');
