import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmpDir(prefix = 'textmill-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function uniqueNamespace(): string {
  return `t${randomBytes(5).toString('hex')}`;
}
