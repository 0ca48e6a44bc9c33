// Turns one file of a drop into a clean-stage payload or a rejection. The file is opened with
// O_NOFOLLOW and checked with fstat on the open descriptor, so a file swapped for a symlink
// after the scan is still not followed.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { CleanInput } from '../shared/schemas.js';
import { decodeBytes } from './decode.js';
import type { DropEntry } from './scan.js';

export interface Rejection {
  path: string;
  code: string;
  message: string;
  id?: string;
}

export type ReadResult = { ok: true; input: CleanInput } | { ok: false; rejection: Rejection };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

export async function readDropFile(entry: DropEntry, maxBytes: number): Promise<ReadResult> {
  const reject = (code: string, message: string, id?: string): ReadResult => ({
    ok: false,
    rejection: { path: entry.rel, code, message, ...(id ? { id } : {}) },
  });
  if (entry.kind === 'symlink') return reject('symlink', 'The entry is a symbolic link; textmill never follows links, so it was not read.');
  let bytes: Buffer;
  try {
    const fh = await open(entry.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      if (!st.isFile()) return reject('unreadable', 'The entry is not a regular file.');
      if (st.size > maxBytes) {
        return reject('too-large', `The file is ${formatBytes(st.size)}, over the limit of ${formatBytes(maxBytes)} (set --max-file-bytes to change it).`);
      }
      bytes = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return reject('symlink', 'The entry is a symbolic link; textmill never follows links, so it was not read.');
    return reject('unreadable', `The file could not be read (${code ?? (err as Error).message}).`);
  }
  // Checked again after reading: the file may have grown since fstat.
  if (bytes.length > maxBytes) return reject('too-large', `The file is over the limit of ${formatBytes(maxBytes)}.`);
  const hex = sha256Hex(bytes);
  const id = `sha256:${hex}`;
  const decoded = decodeBytes(bytes);
  if (!decoded.ok) return reject(decoded.code, decoded.message, id);
  return {
    ok: true,
    input: {
      id,
      source: { path: entry.rel, bytes: bytes.length, sha256: hex, encoding: decoded.encoding },
      rawText: decoded.text,
      flags: decoded.flags,
    },
  };
}
