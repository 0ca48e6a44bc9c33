// Counters of one run, shared by every process that works on it: which files are accounted
// for, per-stage progress and time, and the figures of the closing summary and manifest.
// In memory for inline runs; a few Redis keys (expiring after a week) otherwise.
import type { Redis } from 'ioredis';
import { key, type StageName } from '../shared/queues.js';

export interface RunCounts {
  total: number | null;
  accounted: number;
  stageDone: Record<string, number>;
  stageMs: Record<string, number>;
  documents: number;
  segments: number;
  duplicateSegments: number;
  rejectedByCode: Record<string, number>;
  /** files already in the output folder from an earlier run: nothing added */
  unchanged: number;
}

export interface RunState {
  setTotal(n: number): Promise<void>;
  /** idempotent per path */
  account(path: string): Promise<void>;
  /** `docs` documents (a job's batch) went through `stage` in `ms` */
  stage(stage: StageName, ms: number, docs?: number): Promise<void>;
  /** a document written to documents.jsonl: counted and its path accounted for, in one step */
  document(path: string, segments: number, duplicateSegments: number, clusters: string[]): Promise<void>;
  rejected(code: string): Promise<void>;
  unchanged(): Promise<void>;
  counts(): Promise<RunCounts>;
  /** how many files are accounted for (counts().accounted, for less) */
  accounted(): Promise<number>;
  repeatedClusters(): Promise<string[]>;
  /** true when the producer is done and every file is accounted for */
  finished(): Promise<boolean>;
}

export class MemoryRunState implements RunState {
  private total: number | null = null;
  private paths = new Set<string>();
  private done: Record<string, number> = {};
  private ms: Record<string, number> = {};
  private docs = 0;
  private segs = 0;
  private dups = 0;
  private rejectedByCode: Record<string, number> = {};
  private clusters = new Set<string>();
  private same = 0;

  async setTotal(n: number) {
    this.total = n;
  }
  async account(p: string) {
    this.paths.add(p);
  }
  async stage(stage: StageName, ms: number, docs = 1) {
    this.done[stage] = (this.done[stage] ?? 0) + docs;
    this.ms[stage] = (this.ms[stage] ?? 0) + ms;
  }
  async document(path: string, segments: number, duplicateSegments: number, clusters: string[]) {
    this.paths.add(path);
    this.docs++;
    this.segs += segments;
    this.dups += duplicateSegments;
    for (const c of clusters) this.clusters.add(c);
  }
  async rejected(code: string) {
    this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
  }
  async unchanged() {
    this.same++;
  }
  async counts(): Promise<RunCounts> {
    return {
      unchanged: this.same,
      total: this.total,
      accounted: this.paths.size,
      stageDone: { ...this.done },
      stageMs: { ...this.ms },
      documents: this.docs,
      segments: this.segs,
      duplicateSegments: this.dups,
      rejectedByCode: { ...this.rejectedByCode },
    };
  }
  async accounted() {
    return this.paths.size;
  }
  async repeatedClusters() {
    return [...this.clusters];
  }
  async finished() {
    return this.total !== null && this.paths.size >= this.total;
  }
}

const TTL = 7 * 24 * 3600;

export class RedisRunState implements RunState {
  private k: { hash: string; paths: string; clusters: string };
  /**
   * `tally`: where stage counters go; a worker process shares one across all its jobs so that
   * they are sent in batches (see StageTally).
   */
  constructor(
    private redis: Redis,
    namespace: string,
    private run: string,
    private tally = new StageTally(redis, namespace),
  ) {
    this.k = {
      hash: key(namespace, 'run', run),
      paths: key(namespace, 'run', run, 'accounted'),
      clusters: key(namespace, 'run', run, 'clusters'),
    };
  }

  private async touch(multi: ReturnType<Redis['multi']>) {
    for (const k of Object.values(this.k)) multi.expire(k, TTL);
    await multi.exec();
  }
  async setTotal(n: number) {
    await this.touch(this.redis.multi().hset(this.k.hash, 'total', n));
  }
  async account(p: string) {
    await this.touch(this.redis.multi().sadd(this.k.paths, p));
  }
  async stage(stage: StageName, ms: number, docs = 1) {
    this.tally.add(this.run, stage, ms, docs);
  }
  async document(path: string, segments: number, duplicateSegments: number, clusters: string[]) {
    const m = this.redis
      .multi()
      .sadd(this.k.paths, path)
      .hincrby(this.k.hash, 'documents', 1)
      .hincrby(this.k.hash, 'segments', segments)
      .hincrby(this.k.hash, 'duplicateSegments', duplicateSegments);
    if (clusters.length) m.sadd(this.k.clusters, ...clusters);
    await this.touch(m);
  }
  async rejected(code: string) {
    await this.redis.hincrby(this.k.hash, `rejected:${code}`, 1);
  }
  async unchanged() {
    await this.redis.hincrby(this.k.hash, 'unchanged', 1);
  }
  async counts(): Promise<RunCounts> {
    const [h, accounted] = await Promise.all([this.redis.hgetall(this.k.hash), this.redis.scard(this.k.paths)]);
    const c: RunCounts = {
      total: h.total === undefined ? null : Number(h.total),
      accounted,
      stageDone: {},
      stageMs: {},
      documents: Number(h.documents ?? 0),
      segments: Number(h.segments ?? 0),
      duplicateSegments: Number(h.duplicateSegments ?? 0),
      rejectedByCode: {},
      unchanged: Number(h.unchanged ?? 0),
    };
    for (const [f, v] of Object.entries(h)) {
      if (f.startsWith('done:')) c.stageDone[f.slice(5)] = Number(v);
      else if (f.startsWith('ms:')) c.stageMs[f.slice(3)] = Number(v);
      else if (f.startsWith('rejected:')) c.rejectedByCode[f.slice(9)] = Number(v);
    }
    return c;
  }
  accounted() {
    return this.redis.scard(this.k.paths);
  }
  async repeatedClusters() {
    return this.redis.smembers(this.k.clusters);
  }
  async finished() {
    const [total, accounted] = await Promise.all([this.redis.hget(this.k.hash, 'total'), this.redis.scard(this.k.paths)]);
    return total !== null && accounted >= Number(total);
  }
}

/** How long a worker process keeps its stage counters before sending them (see StageTally). */
export const STAGE_FLUSH_MS = 250;

/**
 * The per-stage counters (jobs done, time spent) of the runs a worker process works on, sent
 * to Redis in one MULTI at most every STAGE_FLUSH_MS instead of one MULTI per job: at five
 * jobs a document those were a tenth of the commands a document cost, and on a slow loopback
 * every round trip costs Redis and the worker ~0.1 ms of CPU. They are statistics (progress,
 * the manifest's time per stage): a process that dies loses at most the last STAGE_FLUSH_MS
 * of them; files are accounted for elsewhere, one by one.
 */
export class StageTally {
  private pending = new Map<string, Map<StageName, { n: number; ms: number }>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  constructor(
    private redis: Redis,
    private namespace: string,
  ) {}

  add(run: string, stage: StageName, ms: number, docs = 1): void {
    let byStage = this.pending.get(run);
    if (!byStage) this.pending.set(run, (byStage = new Map()));
    const t = byStage.get(stage) ?? { n: 0, ms: 0 };
    t.n += docs;
    t.ms += ms;
    byStage.set(stage, t);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => {}), STAGE_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Sends what is pending now (and waits for any send under way). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = new Map();
    const previous = this.flushing;
    this.flushing = (async () => {
      await previous.catch(() => {});
      if (pending.size === 0) return;
      const m = this.redis.multi();
      for (const [run, byStage] of pending) {
        const hash = key(this.namespace, 'run', run);
        for (const [stage, t] of byStage) m.hincrby(hash, `done:${stage}`, t.n).hincrbyfloat(hash, `ms:${stage}`, t.ms);
        m.expire(hash, TTL);
      }
      await m.exec();
    })();
    return this.flushing;
  }
}
