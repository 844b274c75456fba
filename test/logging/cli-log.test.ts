import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliLog, LOG_FILE_MAX_BYTES } from '../../src/logging/cli-log.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-clilog-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('where CLI logs go', () => {
  it('a terminal command on a TTY logs to <dataDir>/logs/docent.log, mode 0600, not to stderr', () => {
    const dataDir = path.join(work, 'tty');
    const log = createCliLog({ level: 'info', pretty: 'auto', dataDir, owner: 'terminal', stderrIsTTY: true });
    expect(log.file).toBe(path.join(dataDir, 'logs', 'docent.log'));
    log.logger.warn({ source: 'x' }, 'skipped');
    expect(statSync(log.file!).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(log.file!, 'utf8').trim()) as object).toMatchObject({ level: 40, msg: 'skipped', source: 'x' });
  });

  it('keeps stderr for services and for a stderr that is not a TTY (operators collect it)', () => {
    expect(createCliLog({ level: 'info', pretty: 'never', dataDir: path.join(work, 'svc'), owner: 'service', stderrIsTTY: true }).file).toBeUndefined();
    expect(createCliLog({ level: 'info', pretty: 'never', dataDir: path.join(work, 'pipe'), owner: 'terminal', stderrIsTTY: false }).file).toBeUndefined();
  });

  it('rotates a log past the cap to docent.log.1', () => {
    const dataDir = path.join(work, 'rotate');
    mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    const file = path.join(dataDir, 'logs', 'docent.log');
    writeFileSync(file, 'x'.repeat(LOG_FILE_MAX_BYTES + 1));
    const log = createCliLog({ level: 'info', pretty: 'auto', dataDir, owner: 'terminal', stderrIsTTY: true });
    log.logger.info('fresh');
    expect(statSync(`${file}.1`).size).toBe(LOG_FILE_MAX_BYTES + 1);
    expect(readFileSync(file, 'utf8')).toMatch(/"msg":"fresh"/);
  });
});
