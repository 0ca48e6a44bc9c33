// Workers of one namespace running different textmill versions: a job written in a newer
// payload format than a worker reads gets its file a rejected.jsonl line that says so, instead
// of a schema error or a document read wrongly. Jobs of the worker's own format, and of older
// producers (no format in the job), are processed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeQueues, openQueues, startWorkers, type Queues, type WorkerSet } from '../src/pipeline/bullmq.js';
import type { RunCtx } from '../src/pipeline/context.js';
import { loadResources } from '../src/pipeline/resources.js';
import { WIRE_FORMAT } from '../src/pipeline/wire.js';
import { jobId } from '../src/shared/queues.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import { OutputSink } from '../src/workers/write/sink.js';
import { RedisLedger } from '../src/workers/write/ledger.js';
import { quietLogger, readLines, settings, tmpDir } from './helpers/pipeline.js';
import { dropNamespace, waitUntil } from './reliability/helpers.js';

const url = inject('redisUrl');

function cleanInput(text: string, file: string) {
  const sha = createHash('sha256').update(text).digest('hex');
  return { id: `sha256:${sha}`, source: { path: file, bytes: Buffer.byteLength(text), sha256: sha, encoding: 'utf-8' }, rawText: text, flags: [] };
}

describe('jobs of another payload format', () => {
  const s = settings();
  const out = tmpDir('textmill-wire-out-');
  let redis: Redis;
  let queues: Queues;
  let workers: WorkerSet;

  beforeAll(async () => {
    redis = new Redis(url, { maxRetriesPerRequest: null });
    queues = openQueues(redis, s.namespace, 1, 100);
    workers = startWorkers({
      connection: redis,
      namespace: s.namespace,
      stages: ['clean', 'dedup', 'entities', 'themes', 'write'],
      concurrency: 2,
      resources: loadResources(s, createRedisIndex(redis, s.namespace)),
      queues,
      logger: quietLogger,
    });
    // the output files exist before the first line, as a producer would leave them
    new OutputSink(out, new RedisLedger(redis, s.namespace, out));
  });

  afterAll(async () => {
    await workers.close();
    await closeQueues(queues);
    await dropNamespace(url, s.namespace);
    redis.disconnect();
  });

  it('rejects the file of a newer format with a sentence, and processes the others', async () => {
    const base: RunCtx = { run: 'wire-test', outDir: out, version: '0.1.0' };
    const files = [
      { file: 'newer.txt', ctx: { ...base, version: '9.0.0', wire: WIRE_FORMAT + 1 }, text: 'Health workers in Lagos need vaccines now, the minister said on Monday.\n' },
      { file: 'same.txt', ctx: { ...base, wire: WIRE_FORMAT }, text: 'Teachers in Nairobi returned to their classrooms after the long strike.\n' },
      { file: 'older.txt', ctx: base, text: 'Farmers near Dhaka planted rice again after the floods of last year.\n' },
    ];
    for (const f of files) {
      const input = cleanInput(f.text, f.file);
      await queues.clean.add('clean', { ctx: f.ctx, payload: input }, { jobId: jobId(base.run, input.id.slice(7), 'clean') });
    }
    const lines = () => readLines(path.join(out, 'documents.jsonl')).length + readLines(path.join(out, 'rejected.jsonl')).length;
    await waitUntil(async () => lines() >= 3, 60_000, 'three output lines');

    const docs = readLines<{ source: { path: string } }>(path.join(out, 'documents.jsonl')).map((d) => d.source.path);
    expect(docs.sort()).toEqual(['older.txt', 'same.txt']);
    const rejected = readLines<{ path: string; code: string; message: string }>(path.join(out, 'rejected.jsonl'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ path: 'newer.txt', code: 'failed:clean' });
    expect(rejected[0]!.message).toContain(`payload format ${WIRE_FORMAT + 1}`);
    expect(rejected[0]!.message).toContain(`namespace ${s.namespace}`);
    expect(rejected[0]!.message).toMatch(/^[A-Z].{10,}\.$/s);
    expect(readFileSync(path.join(out, 'rejected.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });
});
