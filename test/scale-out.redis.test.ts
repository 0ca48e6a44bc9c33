// Scale-out: a producer plus two separate `textmill worker` processes complete a drop with the
// same documents as `textmill run`.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CORPUS, readOut, run, settings, tmpDir, uniqueNamespace } from './helpers/pipeline.js';
import { exitOf, killAll, textmillProcess } from './helpers/processes.js';

const url = inject('redisUrl');

function comparable(docs: any[]) {
  // cluster ids name the first occurrence, which may differ with the processing order;
  // everything else must agree
  return docs
    .map(({ pipeline: _p, segments, ...rest }) => ({ ...rest, segments: segments.map(({ cluster: _c, duplicateOf, ...s }: any) => ({ ...s, dup: duplicateOf !== null })) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('scale-out across processes', () => {
  const procs: ChildProcess[] = [];
  afterAll(() => killAll(procs));

  it('a producer and two worker processes give the same documents as run', async () => {
    const namespace = uniqueNamespace();
    const out = tmpDir();
    const workers = [1, 2].map(() => textmillProcess(['worker', '--redis', url, '--namespace', namespace, '--concurrency', '2']).proc);
    procs.push(...workers);
    const producer = textmillProcess(['produce', CORPUS, '--out', out, '--redis', url, '--namespace', namespace]);
    procs.push(producer.proc);
    expect(await exitOf(producer.proc)).toBe(0);
    expect(producer.stdout()).toMatch(/documents\s+4/);
    for (const w of workers) w.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => exitOf(w)))).toEqual([0, 0]);

    const reference = tmpDir();
    await run(CORPUS, reference, settings({ namespace: uniqueNamespace() }), url);
    expect(comparable(readOut(out).documents)).toEqual(comparable(readOut(reference).documents));
    // each repeated cluster has one messages.jsonl line in both outputs
    expect(readOut(out).messages.length).toBe(readOut(reference).messages.length);
  }, 120_000);
});
