// Many files and awkward names: a drop of 10,000 tiny files (inline, for speed) and one of
// 1,000 files with awkward names (spaces, quotes, newlines, tabs, non-ASCII in NFC and NFD,
// RTL marks, leading dashes, very long names, shell and JSON metacharacters) through BullMQ,
// where every name travels through Redis. Every file is accounted for exactly once, under its
// own name, checked against the names the test wrote (not against textmill's own walk).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { run, settings, tmpDir } from '../helpers/pipeline.js';
import { dropNamespace, prng, readAccounting } from './helpers.js';

function exactlyOnce(outDir: string, expected: string[]): string[] {
  const { documents, rejected, lines } = readAccounting(outDir);
  const seen = new Map<string, number>();
  for (const p of [...documents.map((d) => d.source.path as string), ...rejected.map((r) => r.path as string)]) {
    seen.set(p, (seen.get(p) ?? 0) + 1);
  }
  const problems: string[] = [];
  const want = new Set(expected);
  for (const p of expected) if (seen.get(p) !== 1) problems.push(`${JSON.stringify(p)}: ${seen.get(p) ?? 0} times`);
  for (const p of seen.keys()) if (!want.has(p)) problems.push(`${JSON.stringify(p)}: not a file of the drop`);
  if (new Set(lines).size !== lines.length) problems.push('duplicate lines');
  return problems.slice(0, 20);
}

describe('a drop of 10,000 tiny files (inline)', () => {
  it('accounts for every file exactly once', async () => {
    const drop = tmpDir('textmill-10k-');
    const out = tmpDir();
    const rels: string[] = [];
    for (let d = 0; d < 20; d++) {
      mkdirSync(path.join(drop, `d${d}`));
      for (let i = 0; i < 500; i++) {
        const n = d * 500 + i;
        const rel = `d${d}/n${n}.txt`;
        // Tiny, distinct, a few exact copies (every 1000th repeats its predecessor) and a few empty.
        const body = n % 1000 === 999 ? `Note ${n - 1}: the council met.\n` : n % 2500 === 7 ? '' : `Note ${n}: the council met.\n`;
        writeFileSync(path.join(drop, rel), body);
        rels.push(rel);
      }
    }
    const { counts } = await run(drop, out, settings({ concurrency: 8 }));
    expect(exactlyOnce(out, rels)).toEqual([]);
    const { rejected } = readAccounting(out);
    expect(rejected.filter((r) => r.code !== 'duplicate' && r.code !== 'empty')).toEqual([]);
    expect(rejected.filter((r) => r.code === 'empty')).toHaveLength(4);
    expect(rejected.filter((r) => r.code === 'duplicate')).toHaveLength(10);
    expect(counts.accounted).toBe(10_000);
  }, 180_000);
});

describe('a drop of 1,000 files with awkward names (BullMQ)', () => {
  const url = inject('redisUrl');
  const s = settings({ concurrency: 8 });
  afterAll(() => dropNamespace(url, s.namespace));

  it('accounts for every file exactly once, under its own name', async () => {
    const r = prng(0xa3c);
    const PARTS = [
      ' ', '  ', 'space name', "it's", '"quoted"', '`tick`', '\n', 'line\nbreak', '\t', '\r', 'ü', 'é', 'e\u0301', 'Ñandú',
      '東京', 'Москва', 'مرحبا', '\u202Eevil', '\u200B', '😀', '👨‍👩‍👧', '-', '--', '-rf', '%s', '%00', '$HOME', '$(id)',
      '*', '?', '[a]', '{b}', '#', '!', '&', ';', '|', '\\', '<', '>', '~', '=', '+', ',', '@', ':', '..', '.', '{"json":1}',
    ];
    const drop = tmpDir('textmill-names-');
    mkdirSync(path.join(drop, '-dir with space'));
    mkdirSync(path.join(drop, 'répertoire\n"x"'));
    const dirs = ['', '-dir with space/', 'répertoire\n"x"/'];
    const rels = new Set<string>();
    const bodies: string[] = [];
    while (rels.size < 1000) {
      const i = rels.size;
      let name: string;
      if (i % 50 === 0) {
        // very long: 250 bytes is near the 255-byte limit of one name on Linux file systems
        name = 'long-' + 'ä'.repeat(120) + `-${i}`;
        name = Buffer.from(name).subarray(0, 250).toString('utf8').replace(/\uFFFD$/, '');
      } else {
        const k = 1 + r.int(4);
        name = Array.from({ length: k }, () => r.pick(PARTS)).join('') + (r.int(3) === 0 ? '' : `${i}`);
        if (r.int(4) === 0) name = '-' + name;
      }
      if (name === '.' || name === '..' || name.includes('/') || name.includes('\0')) continue;
      const rel = r.pick(dirs) + name;
      if (rels.has(rel)) continue;
      // Every 100th file repeats an earlier one's bytes: its rejection message names the other path.
      const body = i % 100 === 99 ? bodies[i - 1]! : `Statement ${i}: the committee met to discuss the budget for next year.\n`;
      writeFileSync(path.join(drop, rel), body);
      bodies.push(body);
      rels.add(rel);
    }
    const out = tmpDir();
    await run(drop, out, s, url);
    expect(exactlyOnce(out, [...rels])).toEqual([]);
    const { rejected } = readAccounting(out);
    expect(rejected.filter((x) => x.code !== 'duplicate')).toEqual([]);
    expect(rejected).toHaveLength(10);
  }, 180_000);
});

describe('file names that are not valid UTF-8', () => {
  // Found while writing these tests, not fixed (src/producers/scan.ts is outside this change):
  // readdir decodes b"bad-\xff.txt" and b"bad-\xfe.txt" both to "bad-\uFFFD.txt", which then
  // cannot be opened (ENOENT, rejected "unreadable") and counts once for two files, so the run
  // waits forever for the second. Fix: walk with encoding 'buffer' and reject such names with a
  // distinct, escaped path (e.g. "bad-%FF.txt").
  it.todo('two names that differ only in invalid UTF-8 bytes are both accounted for, and the run ends');
});
