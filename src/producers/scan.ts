// Walks a drop folder without ever following a symbolic link: a link is reported (the
// contract lists it as rejected with code `symlink`) and never opened, so no file outside the
// drop is read through one.
//
// Names are read as bytes, not strings: on Linux a file name is any bytes but `/` and NUL, and
// one that is not valid UTF-8 (b"f\xff.txt") does not survive a round trip through a string
// (it decodes to "f\uFFFD.txt", which opens nothing, and two such names decode alike). Each
// entry keeps its byte path for opening and gets a readable, lossless name for the output:
// see `outputName`.
import { isUtf8 } from 'node:buffer';
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface DropEntry {
  /** path relative to the drop, with / separators, as written to the output (see outputName) */
  rel: string;
  /** the path to open: bytes when walked (any name opens), a string when built by hand */
  abs: string | Buffer;
  kind: 'file' | 'symlink';
}

const SLASH = Buffer.from('/');

function hex(byte: number): string {
  return '%' + byte.toString(16).toUpperCase().padStart(2, '0');
}

/** Length of the UTF-8 sequence a lead byte announces, 0 for a byte that cannot lead one. */
function seqLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * The output form of one name that is not valid UTF-8: its valid UTF-8 sequences as they are,
 * every other byte as `%XX` (upper-case hex), and `%` itself as `%25`, so that percent-decoding
 * the name gives back its exact bytes. With `all`, every byte is written as `%XX`.
 */
export function escapeName(name: Uint8Array, all = false): string {
  const b = Buffer.from(name.buffer, name.byteOffset, name.byteLength);
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = all || c === 0x25 ? 0 : seqLength(c);
    if (n > 0 && i + n <= b.length && (n === 1 || isUtf8(b.subarray(i, i + n)))) {
      out += b.toString('utf8', i, i + n);
      i += n;
      continue;
    }
    out += hex(c);
    i++;
  }
  return out;
}

/**
 * How the entries of one folder are named in the output: a name that is valid UTF-8 as it is
 * (so every ordinary name is unchanged), any other name escaped (`escapeName`). Within the
 * folder the names stay distinct: should the escaped form equal another entry's name (a folder
 * holding both b"f\xff.txt" and "f%FF.txt"), every byte of the name is escaped instead.
 */
export function outputNames(names: readonly Buffer[]): string[] {
  const out: string[] = new Array<string>(names.length);
  const taken = new Set<string>();
  const invalid: number[] = [];
  names.forEach((n, i) => {
    if (isUtf8(n)) taken.add((out[i] = n.toString('utf8')));
    else invalid.push(i);
  });
  for (const i of invalid) {
    let name = escapeName(names[i]!);
    if (taken.has(name)) name = escapeName(names[i]!, true);
    // Only a folder built to collide gets here: "%00" decodes to NUL, which no name can hold.
    while (taken.has(name)) name += '%00';
    taken.add((out[i] = name));
  }
  return out;
}

export async function* walkDrop(root: string): AsyncGenerator<DropEntry> {
  const stack: Array<{ abs: Buffer; rel: string }> = [{ abs: Buffer.from(path.resolve(root)), rel: '' }];
  while (stack.length) {
    const dir = stack.pop()!;
    const dirents = (await readdir(dir.abs, { encoding: 'buffer', withFileTypes: true })) as Dirent<Buffer>[];
    const names = outputNames(dirents.map((d) => d.name));
    const entries = dirents.map((d, i) => ({ d, name: names[i]! }));
    // Sorted so that every run visits files in the same order (first path of duplicate bytes).
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: Array<{ abs: Buffer; rel: string }> = [];
    for (const { d, name } of entries) {
      const abs = Buffer.concat([dir.abs, SLASH, d.name]);
      const rel = dir.rel ? `${dir.rel}/${name}` : name;
      if (d.isSymbolicLink()) yield { rel, abs, kind: 'symlink' };
      else if (d.isDirectory()) subdirs.push({ abs, rel });
      else if (d.isFile()) yield { rel, abs, kind: 'file' };
      // sockets, FIFOs and devices are not regular files: the contract does not cover them.
    }
    stack.push(...subdirs.reverse());
  }
}

/** Lists a drop in a stable order; convenient for tests and small drops. */
export async function listDrop(root: string): Promise<DropEntry[]> {
  const out: DropEntry[] = [];
  for await (const e of walkDrop(root)) out.push(e);
  return out;
}
