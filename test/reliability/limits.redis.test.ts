// Limits that protect the machine, each with a clear outcome: a file over the size limit is
// rejected `too-large`, a document over the segment limit `too-many-segments` (not
// failed:clean, and not retried), a 1 MB line is split into segments (flag long-line-split),
// and concurrency is capped at 256.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveSettings } from '../../src/shared/config.js';
import { readOut, run, settings, tmpDir, uniqueNamespace, CORPUS } from '../helpers/pipeline.js';
import { BIN, dropNamespace } from './helpers.js';

const url = inject('redisUrl');
const namespaces: string[] = [];
afterAll(async () => {
  for (const ns of namespaces) await dropNamespace(url, ns);
});

const PROSE = 'The council approved the budget for the new school in the northern district after a long debate. ';

describe.each(['inline', 'bullmq'] as const)('limits (%s)', (transport) => {
  const drop = tmpDir('textmill-limits-');
  const out = tmpDir();
  let result: ReturnType<typeof readOut>;
  let elapsed = 0;

  beforeAll(async () => {
    writeFileSync(path.join(drop, 'ok.txt'), 'A short statement.\n\nIt has two paragraphs, both of them fine.\n');
    writeFileSync(path.join(drop, 'big.txt'), PROSE.repeat(30_000)); // ~3 MB, over the 2 MB limit
    writeFileSync(path.join(drop, 'many-lines.txt'), Array.from({ length: 500 }, (_, i) => `Line ${i} of a very long list.`).join('\n'));
    writeFileSync(path.join(drop, 'long-line.txt'), PROSE.repeat(10_500)); // one 1 MB line
    const s = { ...settings({ namespace: uniqueNamespace(), maxFileBytes: 2 * 1024 * 1024 }), maxSegments: 100, attempts: 3, backoffMs: 5000 };
    namespaces.push(s.namespace);
    const t0 = Date.now();
    await run(drop, out, s, transport === 'bullmq' ? url : undefined);
    elapsed = Date.now() - t0;
    result = readOut(out);
  }, 120_000);

  const rejection = (p: string) => result.rejected.find((r) => r.path === p);

  it('rejects a file over the size limit as too-large', () => {
    expect(rejection('big.txt')?.code).toBe('too-large');
    expect(rejection('big.txt')?.message).toMatch(/over the limit/);
  });

  it('rejects a document over the segment limit as too-many-segments, at once (no retries)', () => {
    expect(rejection('many-lines.txt')?.code).toBe('too-many-segments');
    expect(rejection('many-lines.txt')?.message).toMatch(/more than 100 segments/);
    // With a 5 s backoff, one retry alone would take longer than this whole run.
    if (transport === 'bullmq') expect(elapsed).toBeLessThan(5000 + 20_000);
  });

  it('splits a 1 MB line into segments instead of rejecting it', () => {
    const doc = result.documents.find((d) => d.source.path === 'long-line.txt');
    expect(doc).toBeDefined();
    expect(doc.flags).toContain('long-line-split');
    expect(doc.segments.length).toBeGreaterThan(5);
    expect(doc.segments.length).toBeLessThanOrEqual(100);
    for (const seg of doc.segments) {
      expect(seg.text.length).toBeLessThanOrEqual(100_000);
      expect(doc.text.slice(seg.start, seg.end)).toBe(seg.text);
    }
  });

  it('accounts for every file exactly once', () => {
    const paths = [...result.documents.map((d) => d.source.path), ...result.rejected.map((r) => r.path)].sort();
    expect(paths).toEqual(['big.txt', 'long-line.txt', 'many-lines.txt', 'ok.txt']);
    expect(result.rejected.filter((r) => r.code.startsWith('failed:'))).toEqual([]);
  });
});

describe('concurrency and limit settings', () => {
  it('caps concurrency at 256 and names the setting', () => {
    expect(resolveSettings({ concurrency: 256 }, {}).concurrency).toBe(256);
    expect(() => resolveSettings({ concurrency: 257 }, {})).toThrow(/concurrency/);
    expect(() => resolveSettings({}, { TEXTMILL_CONCURRENCY: '0' })).toThrow(/concurrency/);
    expect(() => resolveSettings({}, { TEXTMILL_MAX_SEGMENTS: 'lots' })).toThrow(/maxSegments/);
    expect(() => resolveSettings({ maxFileBytes: '-1' }, {})).toThrow(/maxFileBytes/);
  });

  it('`run --concurrency 1000` exits 2 with a one-line message', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', CORPUS, '--out', tmpDir(), '--inline', '--concurrency', '1000'], {
      encoding: 'utf8',
      env: { ...process.env, TEXTMILL_LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/concurrency/);
  });
});
