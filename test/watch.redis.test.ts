// `textmill watch` as a real process: files copied in (one written slowly in chunks) each
// appear exactly once; a restarted watcher does not process them again; a copied-in file with
// the same bytes becomes a `duplicate` line.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { queuePrefix } from '../src/shared/queues.js';
import { readOut, tmpDir, uniqueNamespace } from './helpers/pipeline.js';
import { dropNamespace } from './reliability/helpers.js';
import { exitOf, killAll, textmillProcess, type TextmillProcess } from './helpers/processes.js';

const url = inject('redisUrl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWatcher(drop: string, out: string, namespace: string): TextmillProcess {
  return textmillProcess(['watch', drop, '--out', out, '--redis', url, '--namespace', namespace, '--stable-ms', '600', '--interval-ms', '150', '--concurrency', '2']);
}

async function until(cond: () => boolean, ms = 45_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(100);
  }
}

async function stop(p: TextmillProcess): Promise<number | null> {
  p.proc.kill('SIGTERM');
  return exitOf(p.proc);
}

const text = (n: number) => `Statement number ${n} on the ceasefire and humanitarian access.\n\nThe Council met on day ${n} to discuss vaccines for health workers.\n`;

describe('textmill watch', () => {
  const procs: ChildProcess[] = [];
  afterAll(() => killAll(procs));

  it('processes files as they arrive, exactly once, also across a restart', async () => {
    const drop = tmpDir('textmill-watch-');
    const out = tmpDir();
    const namespace = uniqueNamespace();
    let w = startWatcher(drop, out, namespace);
    procs.push(w.proc);

    writeFileSync(path.join(drop, 'a.txt'), text(1));
    mkdirSync(path.join(drop, 'sub'));
    writeFileSync(path.join(drop, 'sub', 'b.txt'), text(2));
    // a slow writer: three chunks 250 ms apart, each shorter than the stability window
    const slow = path.join(drop, 'slow.txt');
    writeFileSync(slow, 'The first part of a slowly written statement about refugees. ');
    await sleep(250);
    appendFileSync(slow, 'The second part about climate finance. ');
    await sleep(250);
    appendFileSync(slow, 'The third and last part about education.\n');
    // an atomic rename from a temporary name
    writeFileSync(path.join(drop, '.c.txt.tmp'), text(3));
    await sleep(300);
    const { renameSync } = await import('node:fs');
    renameSync(path.join(drop, '.c.txt.tmp'), path.join(drop, 'c.txt'));

    await until(() => readOut(out).documents.length >= 4);
    await sleep(1000);
    let o = readOut(out);
    expect(o.documents.map((d) => d.source.path).sort()).toEqual(['a.txt', 'c.txt', 'slow.txt', 'sub/b.txt']);
    expect(o.documents.find((d) => d.source.path === 'slow.txt')!.text).toContain('The third and last part about education.');
    expect(await stop(w)).toBe(0);
    expect(w.stderr()).not.toMatch(/"level":50/);

    // restart: nothing is processed again; a new file and a copy of an old one are handled
    w = startWatcher(drop, out, namespace);
    procs.push(w.proc);
    writeFileSync(path.join(drop, 'd.txt'), text(4));
    writeFileSync(path.join(drop, 'copy-of-a.txt'), text(1));
    await until(() => readOut(out).documents.length >= 5 && readOut(out).rejected.length >= 1);
    await sleep(1000);
    o = readOut(out);
    expect(o.documents.map((d) => d.source.path).sort()).toEqual(['a.txt', 'c.txt', 'd.txt', 'slow.txt', 'sub/b.txt']);
    expect(o.rejected).toEqual([expect.objectContaining({ path: 'copy-of-a.txt', code: 'duplicate' })]);
    expect(await stop(w)).toBe(0);
  }, 120_000);

  it('hands files that arrive together on in batches, not one job each', async () => {
    const drop = tmpDir('textmill-watch-');
    const out = tmpDir();
    const namespace = uniqueNamespace();
    // twelve files at once, before the watcher's first scan
    for (let i = 0; i < 12; i++) writeFileSync(path.join(drop, `f${String(i).padStart(2, '0')}.txt`), text(10 + i));
    const w = textmillProcess(['watch', drop, '--out', out, '--redis', url, '--namespace', namespace, '--stable-ms', '0', '--interval-ms', '150', '--batch', '8']);
    procs.push(w.proc);
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    const clean = new Queue('clean', { connection: redis, prefix: queuePrefix(namespace) });
    try {
      await until(() => readOut(out).documents.length >= 12);
      expect(await stop(w)).toBe(0);
      const jobs = await clean.getCompleted();
      const sizes = jobs.map((j) => (j.data as { docs: unknown[] }).docs.length).sort((a, b) => b - a);
      // each file waiting for its own batch to go (what watch did at first) gave twelve jobs of one
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(12);
      expect(sizes[0]).toBe(8);
      expect(sizes.length).toBeLessThanOrEqual(3);
    } finally {
      await clean.close();
      await dropNamespace(url, namespace);
      redis.disconnect();
    }
  }, 60_000);
});
