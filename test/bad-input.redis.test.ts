// Awkward and bad input in one drop: the bad files are rejected with the right code, the
// awkward ones are decoded correctly, and the rest of the drop still succeeds.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readOut, run, settings, tmpDir } from './helpers/pipeline.js';

const url = inject('redisUrl');

function seededBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
// Words that are names of Object.prototype's members: a lookup in a plain object finds those
// (a message holding "constructor" once failed the dedup stage).
const OBJECT_WORDS =
  'The constructor of the new bridge said the valueOf the contract rose.\n\nconstructor toString hasOwnProperty __proto__ valueOf isPrototypeOf propertyIsEnumerable toLocaleString __defineGetter__ prototype.\n\nThe constructor will finish the bridge by March 2027, the constructor said.\n';
const ENGLISH = 'The Secretary-General called for a ceasefire and for humanitarian access to the region.\n\nHealth workers need vaccines now.\n';

describe.each(['inline', 'bullmq'] as const)('a drop of awkward and bad files (%s)', (transport) => {
  const drop = tmpDir('textmill-drop-');
  const outside = tmpDir('textmill-outside-');
  const out = tmpDir();
  let result: ReturnType<typeof readOut>;

  beforeAll(async () => {
    writeFileSync(path.join(outside, 'secret.txt'), 'This must never be read.\n');
    writeFileSync(path.join(drop, 'good.txt'), ENGLISH);
    writeFileSync(path.join(drop, 'empty.txt'), '');
    writeFileSync(path.join(drop, 'image.png'), Buffer.concat([PNG, seededBytes(2000, 7)]));
    writeFileSync(path.join(drop, 'random.bin'), seededBytes(4096, 42));
    writeFileSync(path.join(drop, 'huge.txt'), 'word '.repeat(30_000));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(drop, 'link.txt'));
    writeFileSync(path.join(drop, 'utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Café “quoted” – done.\n', 'utf16le')]));
    writeFileSync(path.join(drop, 'cp1252.txt'), iconv.encode('Le cœur coûte 5 € – “oui” dit l’œuvre.\n', 'win1252'));
    const corrupt = Buffer.from('The naïve café owner said hello to everyone in the room today.\n', 'utf8');
    corrupt[10] = 0xff;
    writeFileSync(path.join(drop, 'corrupt-utf8.txt'), corrupt);
    mkdirSync(path.join(drop, 'sub dir'));
    writeFileSync(path.join(drop, 'sub dir', 'naïve résumé – 東京.txt'), 'A file with spaces and non-ASCII characters in its name.\n');
    writeFileSync(path.join(drop, 'copy-of-good.txt'), ENGLISH);
    writeFileSync(path.join(drop, 'object-words.txt'), OBJECT_WORDS);
    const s = settings({ maxFileBytes: 100_000 });
    await run(drop, out, s, transport === 'bullmq' ? url : undefined);
    result = readOut(out);
  }, 120_000);

  const codeOf = (p: string) => result.rejected.find((r) => r.path === p)?.code;
  const docOf = (p: string) => result.documents.find((d) => d.source.path === p);

  it('lists every file exactly once', () => {
    const paths = [...result.documents.map((d) => d.source.path), ...result.rejected.map((r) => r.path)].sort();
    expect(paths).toEqual(
      [
        'good.txt', 'empty.txt', 'image.png', 'random.bin', 'huge.txt', 'link.txt', 'utf16.txt', 'cp1252.txt',
        'corrupt-utf8.txt', 'sub dir/naïve résumé – 東京.txt', 'copy-of-good.txt', 'object-words.txt',
      ].sort(),
    );
  });

  it('rejects the bad files with the right codes and a sentence', () => {
    expect(codeOf('empty.txt')).toBe('empty');
    expect(codeOf('image.png')).toBe('binary');
    expect(codeOf('random.bin')).toBe('binary');
    expect(codeOf('huge.txt')).toBe('too-large');
    expect(codeOf('link.txt')).toBe('symlink');
    // same bytes: the first in walk order is the document, the other names it
    expect(codeOf('good.txt')).toBe('duplicate');
    expect(docOf('copy-of-good.txt')).toBeDefined();
    expect(result.rejected.find((r) => r.path === 'good.txt')?.message).toContain('copy-of-good.txt');
    for (const r of result.rejected) expect(r.message).toMatch(/^[A-Z].{10,}\.$/s);
  });

  it('processes a text made of words that name Object.prototype members', () => {
    const doc = docOf('object-words.txt');
    expect(codeOf('object-words.txt')).toBeUndefined();
    expect(doc?.segments.length).toBe(3);
    // the first and last paragraph are not near-duplicates, and nothing else in the drop matches them
    expect(doc?.segments.every((s: { duplicateOf: unknown }) => s.duplicateOf === null)).toBe(true);
  });

  it('never reads through a symlink', () => {
    expect(JSON.stringify(result)).not.toContain('must never be read');
  });

  it('decodes the awkward files correctly', () => {
    expect(docOf('copy-of-good.txt')?.text).toContain('ceasefire');
    expect(docOf('utf16.txt')?.text).toBe('Café “quoted” – done.');
    expect(docOf('cp1252.txt')?.text).toBe('Le cœur coûte 5 € – “oui” dit l’œuvre.');
    const corrupt = docOf('corrupt-utf8.txt');
    expect(corrupt?.text).toContain('\uFFFD');
    expect(corrupt?.flags).toContain('invalid-bytes-replaced');
    expect(docOf('sub dir/naïve résumé – 東京.txt')?.text).toContain('non-ASCII');
  });
});
