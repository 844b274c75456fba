#!/usr/bin/env node
// Thin launcher so `docent` works as an installed bin without a build step: tsx runs the TypeScript CLI.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
