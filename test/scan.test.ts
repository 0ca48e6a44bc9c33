import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDropFile } from '../src/producers/read.js';
import { listDrop } from '../src/producers/scan.js';
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
