import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDropFile } from '../src/producers/read.js';
import { escapeName, listDrop, outputNames } from '../src/producers/scan.js';
import { tmpDir } from './helpers/tmp.js';

describe('walking a drop', () => {
  it('lists regular files recursively in a stable order, with / paths, and reports links without following them', async () => {
    const drop = tmpDir();
    const outside = tmpDir();
    writeFileSync(path.join(outside, 'o.txt'), 'outside');
    mkdirSync(path.join(drop, 'b', 'c'), { recursive: true });
    writeFileSync(path.join(drop, 'b', 'c', 'deep.txt'), 'deep');
    writeFileSync(path.join(drop, 'a.txt'), 'a');
    symlinkSync(outside, path.join(drop, 'linkdir'));
    symlinkSync(path.join(outside, 'o.txt'), path.join(drop, 'link.txt'));
    const entries = await listDrop(drop);
    expect(entries.map((e) => [e.rel, e.kind])).toEqual([
      ['a.txt', 'file'],
      ['link.txt', 'symlink'],
      ['linkdir', 'symlink'],
      ['b/c/deep.txt', 'file'],
    ]);
    const link = await readDropFile(entries[1]!, 1000);
    expect(link).toMatchObject({ ok: false, rejection: { code: 'symlink' } });
  });

  it('refuses a file that became a symlink after the scan (O_NOFOLLOW)', async () => {
    const drop = tmpDir();
    symlinkSync('/etc/hostname', path.join(drop, 'swapped.txt'));
    const res = await readDropFile({ rel: 'swapped.txt', abs: path.join(drop, 'swapped.txt'), kind: 'file' }, 1000);
    expect(res).toMatchObject({ ok: false, rejection: { code: 'symlink' } });
  });
});

describe('names that are not valid UTF-8', () => {
  const b = (...xs: Array<string | number[]>) => Buffer.concat(xs.map((x) => Buffer.from(x as never)));

  it('keeps valid UTF-8 and writes every other byte as %XX and % as %25, so percent-decoding gives the bytes back', () => {
    expect(escapeName(b('f', [0xff], '.txt'))).toBe('f%FF.txt');
    expect(escapeName(b('caf', [0xc3, 0xa9], [0xfe]))).toBe('café%FE');
    expect(escapeName(b('50%', [0x80]))).toBe('50%25%80');
    expect(escapeName(b([0xe0, 0x80, 0x80]))).toBe('%E0%80%80'); // overlong
    expect(escapeName(b([0xed, 0xa0, 0x80]))).toBe('%ED%A0%80'); // a surrogate
    expect(escapeName(b('ab', [0xf0, 0x9f, 0x98]))).toBe('ab%F0%9F%98'); // cut short
    expect(escapeName(b('ab', [0xff]), true)).toBe('%61%62%FF');
    // percent-decoding: %XX is a byte, any other character its UTF-8 bytes
    const decode = (s: string) =>
      Buffer.concat(s.split(/(%[0-9A-F]{2})/).map((part) => (/^%[0-9A-F]{2}$/.test(part) ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part))));
    for (const name of [b('f', [0xff], '.txt'), b('50%', [0x80]), b([0xc3, 0x28, 0x25, 0x32, 0x35]), b('é', [0xe9])]) {
      expect(decode(escapeName(name)).equals(name)).toBe(true);
      expect(decode(escapeName(name, true)).equals(name)).toBe(true);
    }
  });

  it('leaves valid names alone and keeps the names of one folder distinct', () => {
    expect(outputNames([b('a.txt'), b('f', [0xff]), b('f', [0xfe]), b('f%FF'), b('%66%FF')])).toEqual([
      'a.txt',
      '%66%FF%00', // its escaped form and its fully escaped form are both taken by other names
      'f%FE',
      'f%FF',
      '%66%FF',
    ]);
  });

  it('walks and opens them', async () => {
    const drop = tmpDir();
    mkdirSync(Buffer.from(`${drop}/d\xe9j\xe0`, 'latin1'));
    writeFileSync(Buffer.concat([Buffer.from(`${drop}/`), b('d', [0xe9], 'j', [0xe0], '/x', [0xff], '.txt')]), 'one');
    writeFileSync(Buffer.concat([Buffer.from(`${drop}/`), b('x', [0xfe], '.txt')]), 'two');
    const entries = await listDrop(drop);
    expect(entries.map((e) => e.rel)).toEqual(['x%FE.txt', 'd%E9j%E0/x%FF.txt']);
    const read = await Promise.all(entries.map((e) => readDropFile(e, 1000)));
    expect(read.map((r) => (r.ok ? r.input.rawText : r.rejection.code))).toEqual(['two', 'one']);
  });
});
