import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMessages } from '../src/pipeline/finish.js';
import { cleanDocFromLines } from '../src/synth/generate.js';
import { dedup } from '../src/workers/dedup/dedup.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';

const A1 = 'The minister opened the new water treatment plant in the northern district on Monday morning.';
const A2 = 'Officials said the project would bring clean drinking water to forty thousand households by next year.';
const doc = (p: string, lines: string[]) => cleanDocFromLines(lines.map((text) => ({ kind: 'paragraph' as const, text })), p);
const read = (dir: string) =>
  readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cluster: string; text: string; occurrences: { path: string }[] });

describe('messages.jsonl at the end of a run', () => {
  it('merges a later run into the lines of an earlier one, one line per cluster', async () => {
    const index = createMemoryIndex('finish');
    const out = mkdtempSync(path.join(os.tmpdir(), 'textmill-finish-'));
    const repeated = async (d: ReturnType<typeof doc>) => (await dedup(d, index)).segments.filter((s) => s.duplicateOf).map((s) => s.cluster);
    await dedup(doc('a.txt', [A1, A2]), index);
    expect(await writeMessages(out, await repeated(doc('b.txt', [A1, 'Something else entirely.'])), index)).toBe(1);
    expect(read(out).map((l) => [l.text, l.occurrences.map((o) => o.path)])).toEqual([[A1, ['a.txt', 'b.txt']]]);

    expect(await writeMessages(out, await repeated(doc('c.txt', [A2, A1])), index)).toBe(2);
    const lines = read(out);
    expect(lines.map((l) => l.text).sort()).toEqual([A1, A2].sort());
    expect(lines.find((l) => l.text === A1)!.occurrences.map((o) => o.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(readdirSync(out)).toEqual(['messages.jsonl']);
  });

  it('leaves the earlier file as it was when the new one cannot be written', async () => {
    const index = createMemoryIndex('finish-fail');
    const out = mkdtempSync(path.join(os.tmpdir(), 'textmill-finish-'));
    await dedup(doc('a.txt', [A1]), index);
    const dup = (await dedup(doc('b.txt', [A1]), index)).segments[0]!.cluster;
    await writeMessages(out, [dup], index);
    const before = readFileSync(path.join(out, 'messages.jsonl'), 'utf8');
    mkdirSync(path.join(out, `messages.jsonl.${process.pid}.tmp`)); // the temporary file's name is taken
    await expect(writeMessages(out, [dup], index)).rejects.toThrow();
    expect(readFileSync(path.join(out, 'messages.jsonl'), 'utf8')).toBe(before);
  });
});
