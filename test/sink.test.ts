// The sink's promise: one line per document id and per rejected path, across retries,
// crashes between append and acknowledgement, and several writers.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DOCUMENT_SCHEMA, type OutputDocument } from '../src/shared/schemas.js';
import { MemoryLedger, RedisLedger, ledgerKeys, type Ledger } from '../src/workers/write/ledger.js';
import { OutputSink, scanOutput } from '../src/workers/write/sink.js';
import { tmpDir, uniqueNamespace } from './helpers/tmp.js';

function doc(n: number, p = `f${n}.txt`): OutputDocument {
  const hex = n.toString(16).padStart(64, '0');
  return {
    schema: DOCUMENT_SCHEMA,
    id: `sha256:${hex}`,
    source: { path: p, bytes: 10, sha256: hex, encoding: 'utf-8' },
    language: 'en',
    text: 'Hello world.',
    segments: [],
    entities: [],
    themes: [],
    flags: [],
    nearDuplicateOf: null,
    pipeline: { version: '0', run: 'r' },
  };
}

const lines = (dir: string, f: string) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean);

const redis = new Redis(inject('redisUrl'));
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup) await c();
  redis.disconnect();
});

const ledgers: Array<[string, (outDir: string) => Ledger]> = [
  ['memory', () => new MemoryLedger()],
  [
    'redis',
    (outDir) => {
      const ns = uniqueNamespace();
      const k = ledgerKeys(ns, outDir);
      cleanup.push(() => redis.del(k.docs, k.rejected));
      return new RedisLedger(redis, ns, outDir);
    },
  ],
];

describe.each(ledgers)('OutputSink with a %s ledger', (_name, makeLedger) => {
  it('writes a document once however often it is written', async () => {
    const out = tmpDir();
    const sink = new OutputSink(out, makeLedger(out));
    await Promise.all([sink.writeDocument(doc(1)), sink.writeDocument(doc(1)), sink.writeDocument(doc(2))]);
    await sink.writeDocument(doc(1));
    expect(lines(out, 'documents.jsonl')).toHaveLength(2);
  });

  it('rejects the same bytes under a second path as a duplicate naming the first', async () => {
    const out = tmpDir();
    const sink = new OutputSink(out, makeLedger(out));
    await sink.writeDocument(doc(3, 'a.txt'));
    const outcome = await sink.writeDocument(doc(3, 'b.txt'));
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'duplicate', written: true });
    const rejected = lines(out, 'rejected.jsonl').map((l) => JSON.parse(l));
    expect(rejected).toEqual([expect.objectContaining({ path: 'b.txt', code: 'duplicate', message: expect.stringContaining('a.txt') })]);
  });

  it('after a crash between append and mark, the retry finds the line instead of writing it twice', async () => {
    const out = tmpDir();
    const ledger = makeLedger(out);
    const d = doc(4);
    // The crashed attempt: claimed, appended, never marked written.
    expect(await ledger.claimDocument(d.id, d.source.path)).toEqual({ state: 'new', token: expect.stringMatching(/^[0-9a-f]{12}$/) });
    appendFileSync(path.join(out, 'documents.jsonl'), JSON.stringify(d) + '\n');
    const sink = new OutputSink(out, ledger, 0);
    expect(await sink.writeDocument(d)).toMatchObject({ written: false });
    expect(lines(out, 'documents.jsonl')).toHaveLength(1);
  });

  it('after a crash between claim and append, the retry writes the line', async () => {
    const out = tmpDir();
    const ledger = makeLedger(out);
    const d = doc(5);
    await ledger.claimDocument(d.id, d.source.path);
    const sink = new OutputSink(out, ledger, 0);
    expect(await sink.writeDocument(d)).toMatchObject({ written: true });
    expect(lines(out, 'documents.jsonl')).toHaveLength(1);
  });

  it('is rebuilt from the files, ignoring a torn last line', async () => {
    const out = tmpDir();
    const sink = new OutputSink(out, makeLedger(out));
    await sink.writeDocument(doc(6));
    await sink.writeRejected({ path: 'x.bin', code: 'binary', message: 'The file looks binary.' });
    appendFileSync(path.join(out, 'documents.jsonl'), '{"schema":"textmill.document/v1","id":"sha2');
    const scanned = await scanOutput(out);
    expect(scanned.docs).toEqual([[doc(6).id, 'f6.txt']]);
    expect(scanned.rejected).toEqual(['x.bin']);
    const fresh = makeLedger(out);
    await fresh.load(scanned.docs, scanned.rejected);
    const again = new OutputSink(out, fresh);
    expect(await again.writeDocument(doc(6))).toMatchObject({ written: false });
    expect(await again.writeRejected({ path: 'x.bin', code: 'binary', message: 'The file looks binary.' })).toMatchObject({ written: false });
  });
});

describe.each(ledgers)('rejections with a %s ledger', (_name, makeLedger) => {
  it('keep a path that failed out of documents.jsonl when its retried job later succeeds', async () => {
    const out = tmpDir();
    const sink = new OutputSink(out, makeLedger(out));
    await sink.writeRejected({ path: 'f8.txt', code: 'failed:entities', message: 'The entities stage failed.' });
    expect(await sink.writeDocument(doc(8))).toMatchObject({ written: false });
    expect(lines(out, 'documents.jsonl')).toHaveLength(0);
  });

  it('survive a crash between claim and append, and between append and mark', async () => {
    const out = tmpDir();
    const ledger = makeLedger(out);
    const sink = new OutputSink(out, ledger);
    // crashed before appending: the retry writes the line
    expect(await ledger.claimRejected('a.bin')).toBe('new');
    expect(await sink.writeRejected({ path: 'a.bin', code: 'binary', message: 'Binary.' })).toMatchObject({ written: true });
    // crashed after appending: the retry finds it
    expect(await ledger.claimRejected('b.bin')).toBe('new');
    appendFileSync(path.join(out, 'rejected.jsonl'), JSON.stringify({ schema: 'textmill.rejected/v1', path: 'b.bin', code: 'binary', message: 'Binary.' }) + '\n');
    expect(await sink.writeRejected({ path: 'b.bin', code: 'binary', message: 'Binary.' })).toMatchObject({ written: false });
    expect(lines(out, 'rejected.jsonl')).toHaveLength(2);
  });
});

describe('two writer processes sharing a Redis ledger', () => {
  it('the second backs off while the first holds a fresh claim, and writes nothing twice', async () => {
    const out = tmpDir();
    const ns = uniqueNamespace();
    const k = ledgerKeys(ns, out);
    cleanup.push(() => redis.del(k.docs, k.rejected));
    const a = new RedisLedger(redis, ns, out);
    const d = doc(7);
    await a.claimDocument(d.id, d.source.path); // writer A is mid-write
    const b = new OutputSink(out, new RedisLedger(redis, ns, out));
    await expect(b.writeDocument(d)).rejects.toThrow(/being written by another worker/);
    // writer A finishes; B's retry then finds the document written
    appendFileSync(path.join(out, 'documents.jsonl'), JSON.stringify(d) + '\n');
    await a.markWritten(d.id, d.source.path);
    expect(await b.writeDocument(d)).toMatchObject({ written: false });
    expect(lines(out, 'documents.jsonl')).toHaveLength(1);
  });
});

describe('a writer that stopped for longer than the stale time after its claim', () => {
  const shared = (out: string) => {
    const ns = uniqueNamespace();
    const k = ledgerKeys(ns, out);
    cleanup.push(() => redis.del(k.docs, k.rejected));
    return () => new RedisLedger(redis, ns, out);
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('does not append once another writer has taken its claim over and written the line', async () => {
    const out = tmpDir();
    const ledger = shared(out);
    const a = new OutputSink(out, ledger(), 200);
    const b = new OutputSink(out, ledger(), 200);
    const d = doc(9);
    const held = await a.claimWrite(d); // A claims, then its event loop blocks (or it is stopped)
    expect(held).toHaveProperty('token');
    await sleep(250);
    expect(await b.writeDocument(d)).toMatchObject({ written: true }); // B takes the stale claim over
    // A wakes up and goes on with its append: the claim is no longer its own
    expect(await a.appendClaimed(d, held as never)).toMatchObject({ written: false });
    expect(lines(out, 'documents.jsonl')).toHaveLength(1);
  });

  it('renews its claim and appends when nobody took it over, and the other writer then backs off', async () => {
    const out = tmpDir();
    const ledger = shared(out);
    const a = new OutputSink(out, ledger(), 200);
    const b = new OutputSink(out, ledger(), 200);
    const d = doc(10);
    const held = await a.claimWrite(d);
    await sleep(120); // older than half the stale time: A must renew before appending
    expect(await a.appendClaimed(d, held as never)).toMatchObject({ written: true });
    expect(await b.writeDocument(d)).toMatchObject({ written: false });
    expect(lines(out, 'documents.jsonl')).toHaveLength(1);
  });

  it('lets only one of three writers take a stale claim over', async () => {
    const out = tmpDir();
    const ledger = shared(out);
    const d = doc(11);
    await ledger().claimDocument(d.id, d.source.path); // a writer that died before appending
    await sleep(250);
    const takers = [1, 2, 3].map(() => new OutputSink(out, ledger(), 200));
    const results = await Promise.allSettled(takers.map((t) => t.writeDocument(d)));
    const written = results.filter((r) => r.status === 'fulfilled' && r.value.kind === 'document' && r.value.written);
    expect(written).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/being written by another worker/);
    expect(lines(out, 'documents.jsonl')).toHaveLength(1);
  });
});

describe('long lines from concurrent writers', () => {
  it('never interleave: every line of several MB written at once by two sinks parses whole', async () => {
    const out = tmpDir();
    const big = (n: number) => ({ ...doc(n), text: `${n} `.repeat(400_000 + n * 1000) }); // ~1-2 MB a line
    const a = new OutputSink(out, new MemoryLedger());
    const b = new OutputSink(out, new MemoryLedger()); // another process's sink on the same folder
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => (n % 2 ? a : b).writeDocument(big(n))));
    const got = lines(out, 'documents.jsonl').map((l) => JSON.parse(l) as OutputDocument);
    expect(got.map((d) => d.id).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => doc(n).id).sort());
    for (const d of got) expect(d.text.length).toBe(big(Number(d.text.split(' ')[0])).text.length);
  });
});
