/** The Dockerfile and .dockerignore, read as text (no Docker engine here): the essentials a Space needs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const repo = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
// Instructions with their continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const of = (name: string) => instructions.filter((l) => l.toUpperCase().startsWith(`${name} `));

describe('Dockerfile', () => {
  it('builds in two stages and runs on node 20 bookworm-slim', () => {
    const froms = of('FROM');
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^FROM node:20-bookworm\S* AS build$/);
    expect(froms[1]).toMatch(/^FROM node:20-bookworm-slim\b/);
    expect(of('RUN').some((r) => /npm ci\b/.test(r))).toBe(true);
    expect(of('RUN').some((r) => /npm run build/.test(r) && /npm prune --omit=dev/.test(r))).toBe(true);
    expect(of('COPY').filter((c) => c.includes('--from=build')).map((c) => c.split(' ').at(-2))).toEqual(['/app/node_modules', '/app/dist']);
  });

  it('runs as uid 1000 on port 7860 through the entrypoint, with models pulled at build time', () => {
    const runtime = instructions.slice(instructions.findIndex((l, i) => i > 0 && l.startsWith('FROM ')));
    const user = runtime.findIndex((l) => l === 'USER 1000');
    expect(user).toBeGreaterThan(0);
    expect(of('EXPOSE')).toEqual(['EXPOSE 7860']);
    expect(of('ENTRYPOINT')).toEqual(['ENTRYPOINT ["/usr/local/bin/docent-entrypoint"]']);
    expect(of('COPY')).toContain('COPY docker/entrypoint.sh /usr/local/bin/docent-entrypoint');
    expect(of('CMD')).toEqual(['CMD ["start"]']);
    const pull = runtime.findIndex((l) => l.includes('models pull'));
    expect(pull).toBeGreaterThan(user); // as uid 1000, so the seed belongs to the app
    expect(runtime[pull]).toMatch(/PULL_MODELS/);
    expect(runtime[pull]).not.toMatch(/\|\| true|; *true\b/); // a failed pull fails the build
    expect(of('ARG')).toContain('ARG PULL_MODELS=1');
    expect(dockerfile).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
  });

  it('never copies secrets or local state', () => {
    for (const c of of('COPY').concat(of('ADD'))) {
      expect(c).not.toMatch(/\.env\b|\.docent\b|\s\.\s/);
    }
  });
});

describe('.dockerignore', () => {
  const ignore = readFileSync(path.join(repo, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  it('keeps secrets, state, dependencies and build output out of the context', () => {
    for (const p of ['.env', '.env*', 'node_modules', 'dist', '.docent*', '*.log', '.git', 'coverage']) expect(ignore).toContain(p);
    expect(ignore).not.toContain('docker');
  });
});

describe('the hf-space profile', () => {
  it('is chosen by SPACE_ID when DOCENT_PROFILE is unset, and explicit environment wins', () => {
    const space = loadConfig({ env: { SPACE_ID: 'user/docent' } });
    expect(space).toMatchObject({ dataDir: '/data/docent', log: { pretty: 'never' }, slack: { mode: 'socket' }, answer: { chain: 'auto' } });
    expect(loadConfig({ env: { SPACE_ID: 'user/docent', DATA_DIR: '/srv/x', LOG_PRETTY: 'always' } })).toMatchObject({ dataDir: '/srv/x', log: { pretty: 'always' } });
    expect(loadConfig({ env: { SPACE_ID: 'user/docent', DOCENT_PROFILE: '' } }).log.pretty).toBe('auto');
    expect(loadConfig({ env: { SPACE_ID: 'user/docent', DOCENT_PROFILE: 'local' } }).dataDir).not.toBe('/data/docent');
    expect(loadConfig({ env: {} }).log.pretty).toBe('auto');
  });
});
