// The producer reads files ahead of the one it decides, but decides (and hands on) in walk order.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryRunState } from '../src/pipeline/run-state.js';
import { produceDrop, type ProduceOptions } from '../src/producers/produce.js';
import type { Rejection } from '../src/producers/read.js';
import type { CleanInput } from '../src/shared/schemas.js';
import { MemoryLedger } from '../src/workers/write/ledger.js';
import { tmpDir } from './helpers/pipeline.js';

function drop(n: number): string {
  const dir = tmpDir('textmill-produce-');
  for (let i = 0; i < n; i++) {
    // every third file is large (read more slowly); every fifth repeats the bytes of the file before it
    const body = (k: number) => `Message number ${k}.\n`.repeat(k % 3 === 0 ? 20_000 : 1);
    writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}.txt`), body(i % 5 === 4 ? i - 1 : i));
  }
  return dir;
}

function handOff(over: Partial<ProduceOptions> = {}) {
  const submitted: string[] = [];
  const rejected: Rejection[] = [];
  const o: ProduceOptions = {
    maxFileBytes: 10_000_000,
    ledger: new MemoryLedger(),
    state: new MemoryRunState(),
    submit: async (input: CleanInput) => {
      submitted.push(input.source.path);
      await new Promise((r) => setTimeout(r, 2)); // an enqueue takes a round trip
    },
    reject: async (r: Rejection) => void rejected.push(r),
    ...over,
  };
  return { o, submitted, rejected };
}

describe('produceDrop', () => {
  it.each([8, 1])('hands files on in walk order, and names the first of two same-byte files the document (read-ahead %i)', async (readAhead) => {
    const dir = drop(40);
    const { o, submitted, rejected } = handOff({ readAhead });
    const r = await produceDrop(dir, o);
    expect(r.files).toBe(40);
    const order = [...submitted, ...rejected.map((x) => x.path)];
    expect(order.length).toBe(40);
    // the walk goes by name within a folder
    expect(submitted).toEqual([...submitted].sort());
    // f004 repeats f003, f009 repeats f008, ...: the later one is the duplicate
    expect(rejected.map((x) => [path.basename(x.path), x.code])).toEqual(
      [4, 9, 14, 19, 24, 29, 34, 39].map((i) => [`f${String(i).padStart(3, '0')}.txt`, 'duplicate']),
    );
    for (const x of rejected) expect(x.message).toContain(`f${String(Number(path.basename(x.path).slice(1, 4)) - 1).padStart(3, '0')}.txt`);
  });

  it('says when every file is decided, before it waits for the hand-offs (a batch that waits for company goes then)', async () => {
    const dir = drop(6);
    // hand-offs that complete only once the walk is over, as a batch's do when it is flushed
    let release!: () => void;
    const flushed = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const { o } = handOff({
      submit: async (input: CleanInput) => {
        order.push(input.source.path);
        await flushed;
      },
      walked: () => {
        order.push('walked');
        release();
      },
    });
    const r = await produceDrop(dir, o);
    expect(r.submitted).toBe(5);
    expect(order.at(-1)).toBe('walked');
    expect(order.filter((x) => x === 'walked')).toHaveLength(1);
  });

  it('fails when handing a file on fails, instead of losing it', async () => {
    const dir = drop(12);
    let n = 0;
    const { o } = handOff({
      submit: async () => {
        if (++n === 5) throw new Error('queue unreachable');
      },
    });
    await expect(produceDrop(dir, o)).rejects.toThrow('queue unreachable');
  });
});
