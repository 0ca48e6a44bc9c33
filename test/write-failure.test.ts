// A file whose write fails (documents.jsonl not writable, a full disk, any exception in the
// write stage) is still accounted for: its rejected.jsonl line says failed:write. When not even
// that line can be written, the run stops with a clear error (exit 3) instead of waiting
// forever. Inline here; through BullMQ and worker processes in
// test/reliability/write-failure.redis.test.ts. The output files are replaced by folders,
// since the tests run as root and chmod would not stop root.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processInline } from '../src/pipeline/inline.js';
import { loadResources } from '../src/pipeline/resources.js';
import { PipelineSession } from '../src/pipeline/run.js';
import { MemoryRunState } from '../src/pipeline/run-state.js';
import { OutputError } from '../src/shared/errors.js';
import { readDropFile } from '../src/producers/read.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';
import { MemoryLedger } from '../src/workers/write/ledger.js';
import { OutputSink } from '../src/workers/write/sink.js';
import { quietLogger, readLines, run, settings, tmpDir } from './helpers/pipeline.js';
import { exitWithin, startTextmill } from './reliability/helpers.js';

const s = settings();
const resources = loadResources(s, createMemoryIndex(s.namespace));
const ctx = (outDir: string) => ({ run: 'r1', outDir, version: '0' });

async function input(dir: string, name: string, text: string) {
  writeFileSync(path.join(dir, name), text);
  const r = await readDropFile({ rel: name, abs: path.join(dir, name), kind: 'file' }, 1e6);
  if (!r.ok) throw new Error(r.rejection.message);
  return r.input;
}

/** Replaces an output file by a folder: appending to it then fails with EISDIR, also for root. */
function breakFile(outDir: string, f: string) {
  rmSync(path.join(outDir, f), { force: true });
  mkdirSync(path.join(outDir, f));
}

describe('a write that fails (inline)', () => {
  it('gives the file one failed:write line in rejected.jsonl and accounts for it', async () => {
    const drop = tmpDir();
    const out = tmpDir();
    const sink = new OutputSink(out, new MemoryLedger());
    const state = new MemoryRunState();
    breakFile(out, 'documents.jsonl');
    await processInline(await input(drop, 'a.txt', 'The council met in Lisbon on Monday.\n'), ctx(out), resources, sink, state);
    const rejected = readLines(path.join(out, 'rejected.jsonl'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ path: 'a.txt', code: 'failed:write' });
    expect(rejected[0]!.message).toMatch(/^The write stage could not write this file's line to the output folder: EISDIR.*documents\.jsonl.*\.$/);
    expect((await state.counts()).accounted).toBe(1);
    expect((await state.counts()).rejectedByCode).toEqual({ 'failed:write': 1 });
  });

  it('throws an OutputError naming the output folder when not even the rejected line can be written', async () => {
    const drop = tmpDir();
    const out = tmpDir();
    const sink = new OutputSink(out, new MemoryLedger());
    breakFile(out, 'documents.jsonl');
    breakFile(out, 'rejected.jsonl');
    const p = processInline(await input(drop, 'b.txt', 'The mayor spoke in Oslo on Tuesday.\n'), ctx(out), resources, sink, new MemoryRunState());
    await expect(p).rejects.toBeInstanceOf(OutputError);
    await expect(p).rejects.toThrow(/"b\.txt".*rejected\.jsonl line could not be written.*EISDIR.*not writable, so the run stops/);
  });

  it('a session whose output becomes unwritable mid-run stops with that reason instead of waiting', async () => {
    const drop = tmpDir();
    for (let i = 0; i < 5; i++) writeFileSync(path.join(drop, `f${i}.txt`), `The council met in Lisbon on day ${i}.\n`);
    const out = tmpDir();
    const session = await PipelineSession.open({ outDir: out, settings: settings(), logger: quietLogger });
    try {
      breakFile(out, 'documents.jsonl');
      breakFile(out, 'rejected.jsonl');
      const err = await session
        .produce(drop)
        .then(() => session.settle(null))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OutputError);
      expect((err as Error).message).toMatch(/^The write stage gave up on "f\d\.txt" and its rejected\.jsonl line could not be written either/);
    } finally {
      await session.close();
    }
  });

  it('an output folder that cannot be written stops a run at once, with the file named', async () => {
    const drop = tmpDir();
    writeFileSync(path.join(drop, 'a.txt'), 'Some text.\n');
    const out = tmpDir();
    breakFile(out, 'rejected.jsonl');
    const err = await run(drop, out, settings()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toMatch(/^The output file .*rejected\.jsonl cannot be written \(EISDIR/);
  });

  it('textmill run exits 3 with one line instead of hanging', async () => {
    const drop = tmpDir();
    writeFileSync(path.join(drop, 'a.txt'), 'Some text.\n');
    const out = tmpDir();
    breakFile(out, 'documents.jsonl');
    const p = startTextmill(['run', drop, '--out', out, '--inline']);
    const { code } = await exitWithin(p, 60_000, 'textmill run --inline');
    expect(code).toBe(3);
    expect(p.stderr()).toMatch(/textmill: The output file .*documents\.jsonl cannot be written \(EISDIR/);
  }, 90_000);
});
