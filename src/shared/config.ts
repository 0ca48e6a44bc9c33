// Settings resolved by one pure function of (flags, environment), so they are testable
// without touching process.env. Defaults live in one object.
import os from 'node:os';
import { z } from 'zod';
import { SetupError } from './errors.js';

export const DEFAULTS = {
  namespace: 'default',
  // Two jobs per core and stage: a job spends part of its time waiting on Redis (dedup makes
  // five round trips per document), and with one per core the cores were not kept busy.
  // Measured with `npm run bench -- --docs 10000 --only c` on 2 cores: 99.6 documents/s with 2,
  // 105 with 4, 104 with 8.
  concurrency: 2 * Math.max(1, os.availableParallelism()),
  maxFileBytes: 10 * 1024 * 1024,
  // Documents per job (the producer's batches, see src/pipeline/batcher.ts). 8: measured with
  // `npm run bench` on 2 cores, see the README's performance section; 1 gives one job per
  // document, as textmill did before, at more Redis and CPU per document.
  batchSize: 8,
  maxSegments: 20_000,
  attempts: 3,
  backoffMs: 1000,
  themesFile: undefined as string | undefined,
  entitiesFile: undefined as string | undefined,
};

export const Settings = z.object({
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'namespace: use 1-64 letters, digits, "_", "." or "-"'),
  concurrency: z.number().int().min(1).max(256),
  maxFileBytes: z.number().int().min(1),
  batchSize: z.number().int().min(1, 'batchSize: at least 1').max(1000, 'batchSize: at most 1000'),
  maxSegments: z.number().int().min(1),
  attempts: z.number().int().min(1).max(20),
  backoffMs: z.number().int().min(0),
  themesFile: z.string().optional(),
  entitiesFile: z.string().optional(),
  /**
   * Verified similarity at or above which two messages are near-duplicates (dedup's default,
   * 0.45, when unset). Every worker on a namespace must use the same value.
   */
  dedupThreshold: z.number().gt(0, 'dedupThreshold: above 0').max(1, 'dedupThreshold: at most 1').optional(),
});
export type Settings = z.infer<typeof Settings>;

export interface SettingFlags {
  namespace?: string;
  concurrency?: string | number;
  maxFileBytes?: string | number;
  batch?: string | number;
  themes?: string;
  entities?: string;
  dedupThreshold?: string | number;
}

function num(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  return typeof v === 'number' ? v : Number(v);
}

/** Flags win over TEXTMILL_* environment variables, which win over the defaults. */
export function resolveSettings(flags: SettingFlags, env: NodeJS.ProcessEnv): Settings {
  const candidate = {
    namespace: flags.namespace ?? env.TEXTMILL_NAMESPACE ?? DEFAULTS.namespace,
    concurrency: num(flags.concurrency) ?? num(env.TEXTMILL_CONCURRENCY) ?? DEFAULTS.concurrency,
    maxFileBytes: num(flags.maxFileBytes) ?? num(env.TEXTMILL_MAX_FILE_BYTES) ?? DEFAULTS.maxFileBytes,
    batchSize: num(flags.batch) ?? num(env.TEXTMILL_BATCH) ?? DEFAULTS.batchSize,
    maxSegments: num(env.TEXTMILL_MAX_SEGMENTS) ?? DEFAULTS.maxSegments,
    attempts: num(env.TEXTMILL_ATTEMPTS) ?? DEFAULTS.attempts,
    backoffMs: num(env.TEXTMILL_BACKOFF_MS) ?? DEFAULTS.backoffMs,
    themesFile: flags.themes ?? env.TEXTMILL_THEMES,
    entitiesFile: flags.entities ?? env.TEXTMILL_ENTITIES,
    dedupThreshold: num(flags.dedupThreshold) ?? num(env.TEXTMILL_DEDUP_THRESHOLD),
  };
  if (candidate.dedupThreshold === undefined) delete candidate.dedupThreshold;
  const parsed = Settings.safeParse(candidate);
  if (!parsed.success) throw new SetupError('bad-config', `Bad setting: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, ' ')}`);
  return parsed.data;
}
