// Scale-out: a producer plus two separate `textmill worker` processes complete a drop with the
// same documents as `textmill run`.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CORPUS, readOut, run, settings, tmpDir, uniqueNamespace } from './helpers/pipeline.js';
import { exitOf, killAll, textmillProcess } from './helpers/processes.js';

const url = inject('redisUrl');

/**
 * What must agree whatever order the workers took the documents in. Which occurrence of a
 * repeated message comes first (its cluster id, duplicateOf, a document's nearDuplicateOf)
 * follows that order; which messages are grouped together does not. So a segment's cluster is
 * compared as the set of (path, segment) it groups.
 */
function comparable(docs: any[]) {
  const members = new Map<string, string[]>();
  for (const d of docs) for (const s of d.segments) members.set(s.cluster, [...(members.get(s.cluster) ?? []), `${d.source.path}#${s.index}`]);
  return docs
    .map(({ pipeline: _p, nearDuplicateOf: _n, segments, ...rest }) => ({
      ...rest,
      segments: segments.map(({ cluster, duplicateOf: _d, ...s }: any) => ({ ...s, group: members.get(cluster)!.sort().join(' ') })),
    }))
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
