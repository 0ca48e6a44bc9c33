// Queue names, key prefixes and job options, shared by producers, workers and the dashboard.
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';

export const STAGES = ['clean', 'dedup', 'entities', 'themes', 'write'] as const;
export type StageName = (typeof STAGES)[number];

export function nextStage(stage: StageName): StageName | null {
  const i = STAGES.indexOf(stage);
  return i < STAGES.length - 1 ? STAGES[i + 1]! : null;
}

/**
 * One hash-tagged prefix per namespace: all of a namespace's keys land in one Redis Cluster
 * slot, which BullMQ's multi-key Lua scripts need.
 */
export function queuePrefix(namespace: string): string {
  return `textmill:{${namespace}}`;
}

/** Keys of our own (run state, sink ledger) under the same hash tag. */
export function key(namespace: string, ...parts: string[]): string {
  return [`tm:{${namespace}}`, ...parts].join(':');
}

/**
 * Deterministic job id: a replayed hand-off never creates a second job. BullMQ forbids ':' in
 * ids. `key` names the job's documents (batchKey): the same at every stage of a batch.
 */
export function jobId(run: string, key: string, stage: StageName): string {
  return `${run}.${key}.${stage}`;
}

/**
 * The key of a batch of documents (their ids' hex, in batch order): a lone document's own hex,
 * as before batches; else a hash of them all and, after a dash, how many they are (so that
 * the dashboard, and the benchmark's latency per document, can tell).
 */
export function batchKey(docHexes: readonly string[]): string {
  if (docHexes.length === 1) return docHexes[0]!;
  return `${createHash('sha256').update(docHexes.join(',')).digest('hex').slice(0, 32)}-${docHexes.length}`;
}

/**
 * Completed jobs kept per stage, for the dashboard and so that a replayed hand-off finds the
 * job it would add: the last 1,000 documents' worth, whatever the batch size (1,000 jobs of 8
 * documents held ~460 MB of payloads in Redis on a 10k drop). Set on each job as it is added,
 * from the documents it carries.
 */
export function keepCompleted(docsPerJob: number): { count: number; age: number } {
  return { count: Math.ceil(1000 / Math.max(1, docsPerJob)), age: 24 * 3600 };
}

export function defaultJobOptions(attempts: number, backoffMs: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: keepCompleted(8),
    removeOnFail: { count: 5000, age: 7 * 24 * 3600 },
  };
}
