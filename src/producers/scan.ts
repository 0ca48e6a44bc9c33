// Walks a drop folder without ever following a symbolic link: a link is reported (the
// contract lists it as rejected with code `symlink`) and never opened, so no file outside the
// drop is read through one.
import { opendir } from 'node:fs/promises';
import path from 'node:path';

export interface DropEntry {
  /** path relative to the drop, with / separators */
  rel: string;
  abs: string;
  kind: 'file' | 'symlink';
}

export async function* walkDrop(root: string): AsyncGenerator<DropEntry> {
  const base = path.resolve(root);
  const stack: string[] = [base];
  while (stack.length) {
    const dir = stack.pop()!;
    const dirents = [];
    for await (const d of await opendir(dir)) dirents.push(d);
    // Sorted so that every run visits files in the same order (first path of duplicate bytes).
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const d of dirents) {
      const abs = path.join(dir, d.name);
      const rel = path.relative(base, abs).split(path.sep).join('/');
      if (d.isSymbolicLink()) yield { rel, abs, kind: 'symlink' };
      else if (d.isDirectory()) subdirs.push(abs);
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
