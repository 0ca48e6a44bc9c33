// Helpers for tests that run whole drops.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { tmpDir, uniqueNamespace } from './tmp.js';
import { resolveSettings, type Settings } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { runDrop, type RunResult } from '../../src/pipeline/run.js';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const CORPUS = path.join(ROOT, 'corpus');
export const SHARED = path.resolve(ROOT, '../shared');

export { tmpDir, uniqueNamespace };

export const quietLogger = createLogger({ level: 'silent', pretty: false });

export function settings(over: Partial<Settings> & { namespace?: string } = {}): Settings {
  return { ...resolveSettings({ namespace: over.namespace ?? uniqueNamespace(), concurrency: 4 }, {}), ...over };
}

export async function run(dropDir: string, outDir: string, s: Settings, redisUrl?: string): Promise<RunResult> {
  return runDrop({ dropDir, outDir, settings: s, logger: quietLogger, ...(redisUrl ? { redisUrl } : {}) });
}

export function readLines<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export interface Out {
  documents: any[];
  messages: any[];
  rejected: any[];
}

export function readOut(outDir: string): Out {
  return {
    documents: readLines(path.join(outDir, 'documents.jsonl')),
    messages: readLines(path.join(outDir, 'messages.jsonl')),
    rejected: readLines(path.join(outDir, 'rejected.jsonl')),
  };
}
