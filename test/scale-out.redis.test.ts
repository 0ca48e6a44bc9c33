// Scale-out: a producer plus two separate `textmill worker` processes complete a drop with the
// same documents as `textmill run`.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CORPUS, readOut, ROOT, run, settings, tmpDir, uniqueNamespace } from './helpers/pipeline.js';

const BIN = path.join(ROOT, 'bin/textmill.js');
const url = inject('redisUrl');

function textmill(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TEXTMILL_LOG_LEVEL: 'warn' } });
}

const exitOf = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

function comparable(docs: any[]) {
  // cluster ids name the first occurrence, which may differ with the processing order;
  // everything else must agree
  return docs
    .map(({ pipeline: _p, segments, ...rest }) => ({ ...rest, segments: segments.map(({ cluster: _c, duplicateOf, ...s }: any) => ({ ...s, dup: duplicateOf !== null })) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('scale-out across processes', () => {
  const procs: ChildProcess[] = [];
  afterAll(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  });

  it('a producer and two worker processes give the same documents as run', async () => {
    const namespace = uniqueNamespace();
    const out = tmpDir();
    const workers = [1, 2].map(() => textmill(['worker', '--redis', url, '--namespace', namespace, '--concurrency', '2']));
    procs.push(...workers);
    const producer = textmill(['produce', CORPUS, '--out', out, '--redis', url, '--namespace', namespace]);
    procs.push(producer);
    let stdout = '';
    producer.stdout!.on('data', (d) => (stdout += d));
    expect(await exitOf(producer)).toBe(0);
    expect(stdout).toMatch(/documents\s+4/);
    for (const w of workers) w.kill('SIGTERM');
    expect(await Promise.all(workers.map(exitOf))).toEqual([0, 0]);

    const reference = tmpDir();
    await run(CORPUS, reference, settings({ namespace: uniqueNamespace() }), url);
    expect(comparable(readOut(out).documents)).toEqual(comparable(readOut(reference).documents));
    // each repeated cluster has one messages.jsonl line in both outputs
    expect(readOut(out).messages.length).toBe(readOut(reference).messages.length);
  }, 120_000);
});
