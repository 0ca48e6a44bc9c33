// The near-duplicate index in Redis, shared by every worker of a namespace and kept across
// runs. All keys carry the namespace as hash tag (tm:{ns}:dedup:...), so one Lua script can
// touch them on Redis Cluster too. Reads are plain HMGETs; each document is committed by one
// Lua script (lua/commit-document.lua) that re-checks that the buckets read did not change.
//
// Keys (ns = namespace):
//   tm:{ns}:dedup:docs    hash  document id -> {n, path, assignments} (idempotency, paths)
//   tm:{ns}:dedup:exact   hash  exact-text key -> mid of its first occurrence
//   tm:{ns}:dedup:bucket  hash  LSH band key -> "mid,mid,..." (bounded: maxBucket)
//   tm:{ns}:dedup:member  hash  mid -> "doc\tsegment\tcluster\troot mid\tsimilarity\tfeatures\t" (engine.ts encodeMember)
//   tm:{ns}:dedup:text    hash  mid -> text of a cluster's first occurrence (read for messages.jsonl only)
//   tm:{ns}:dedup:meta    hash  docnum, clusters
//   tm:{ns}:dedup:paths   hash  document id -> path (messages.jsonl reads these, not the records)
//   tm:{ns}:dedup:c:<id>  list  occurrences (mids) of a cluster seen more than once, first first
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { assignDocument, describeClusters, type AssignOptions, type CommitPlan, type CommitResult, type StoreOps } from './engine.js';
import type { DedupIndex, IndexStats } from './index-types.js';
import { resolveParams, type SimilarityParams } from './similarity.js';

export interface RedisIndexOptions extends AssignOptions {
  params?: Partial<SimilarityParams>;
}

const COMMIT_LUA = readFileSync(new URL('./lua/commit-document.lua', import.meta.url), 'utf8');
const COMMIT_CMD = 'textmillDedupCommit';

type CommitFn = (numKeys: number, keys: string[], args: string[]) => Promise<string[]>;

export function dedupKeyPrefix(namespace: string): string {
  if (!namespace || /[{}\s*?[\]\\]/.test(namespace)) {
    throw new RangeError(`namespace must be non-empty without braces, spaces or glob characters, got ${JSON.stringify(namespace)}`);
  }
  return `tm:{${namespace}}:dedup:`;
}

class RedisStore implements StoreOps {
  readonly k: { docs: string; exact: string; bucket: string; member: string; meta: string; paths: string; text: string };
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.k = { docs: `${prefix}docs`, exact: `${prefix}exact`, bucket: `${prefix}bucket`, member: `${prefix}member`, meta: `${prefix}meta`, paths: `${prefix}paths`, text: `${prefix}text` };
    if (typeof (redis as unknown as Record<string, unknown>)[COMMIT_CMD] !== 'function') redis.defineCommand(COMMIT_CMD, { lua: COMMIT_LUA });
  }
  private async hmget(key: string, fields: string[]): Promise<(string | null)[]> {
    // In chunks: the end of a large run asks for hundreds of thousands of fields at once, and
    // spreading them into one call overflows the stack ("Maximum call stack size exceeded").
    const out: (string | null)[] = [];
    for (let i = 0; i < fields.length; i += HMGET_CHUNK) out.push(...(await this.redis.hmget(key, ...fields.slice(i, i + HMGET_CHUNK))));
    return out;
  }
  async begin(doc: string) {
    const [existing, docNum] = unwrap(await this.redis.pipeline().hget(this.k.docs, doc).hincrby(this.k.meta, 'docnum', 1).exec());
    return { existing: existing as string | null, docNum: docNum as number };
  }
  getDocs(docs: string[]) {
    return this.hmget(this.k.docs, docs);
  }
  getPaths(docs: string[]) {
    return this.hmget(this.k.paths, docs);
  }
  async lookup(fields: string[], keys: string[]) {
    // One pipeline (one write to the socket) rather than one call per hash: a document's
    // lookups run on every message, and on a slow loopback each round trip counts.
    const pipe = this.redis.pipeline();
    for (let i = 0; i < fields.length; i += HMGET_CHUNK) pipe.hmget(this.k.bucket, ...fields.slice(i, i + HMGET_CHUNK));
    for (let i = 0; i < keys.length; i += HMGET_CHUNK) pipe.hmget(this.k.exact, ...keys.slice(i, i + HMGET_CHUNK));
    const parts = unwrap(await pipe.exec()) as (string | null)[][];
    const nb = Math.ceil(fields.length / HMGET_CHUNK);
    return { buckets: parts.slice(0, nb).flat(), exact: parts.slice(nb).flat() };
  }
  members(mids: string[]) {
    return this.hmget(this.k.member, mids);
  }
  texts(mids: string[]) {
    return this.hmget(this.k.text, mids);
  }
  async clusterMembers(cids: string[]) {
    const pipe = this.redis.pipeline();
    for (const c of cids) pipe.lrange(`${this.prefix}c:${c}`, 0, -1);
    return unwrap(await pipe.exec()) as string[][];
  }
  async commit(plan: CommitPlan): Promise<CommitResult> {
    // KEYS and ARGV as lua/commit-document.lua lays them out
    const keys = [this.k.docs, this.k.exact, this.k.bucket, this.k.member, this.k.meta, this.k.paths, this.k.text];
    const keyIndex = new Map<string, number>();
    const clusterArgs: string[] = [];
    for (const [cid, root, mid] of plan.clusterAdd) {
      let i = keyIndex.get(cid);
      if (i === undefined) {
        keys.push(`${this.prefix}c:${cid}`);
        i = keys.length; // 1-based index into KEYS
        keyIndex.set(cid, i);
      }
      clusterArgs.push(String(i), root, mid);
    }
    // mids to append, per bucket field (one document's messages can share a bucket)
    const adds = new Map<string, string>();
    for (const [f, mid] of plan.bucketAdd) {
      const cur = adds.get(f);
      adds.set(f, cur === undefined ? mid : `${cur},${mid}`);
    }
    const args: string[] = [plan.doc, plan.path, plan.rec, String(plan.newClusters)];
    args.push(...[plan.checks.length, plan.absent.length, plan.exactAdd.length, plan.members.length, plan.clusterAdd.length, plan.texts.length].map(String));
    for (const [f] of plan.checks) args.push(f);
    for (const [, len] of plan.checks) args.push(String(len));
    for (const [f] of plan.checks) {
      args.push(adds.get(f) ?? '');
      adds.delete(f);
    }
    // Appending to a bucket that was not read would drop its members: refused before any write.
    if (adds.size > 0) throw new Error(`dedup commit: bucket ${[...adds.keys()][0]} was not read before the commit`);
    for (const k of plan.absent) args.push(k);
    for (const pairs of [plan.exactAdd, plan.members]) for (const [a, b] of pairs) args.push(a, b);
    for (const a of clusterArgs) args.push(a);
    for (const [a, b] of plan.texts) args.push(a, b);
    const fn = (this.redis as unknown as Record<string, CommitFn>)[COMMIT_CMD]!;
    // Arrays, not spread: ioredis flattens them, and a document of thousands of messages has more
    // arguments than a function call can take.
    const r = await fn.call(this.redis, keys.length, keys, args);
    if (r[0] === 'ok') return { status: 'ok' };
    if (r[0] === 'exists') return { status: 'exists', record: r[1]! };
    return { status: 'conflict' };
  }
}

const HMGET_CHUNK = 5000;

/** The replies of a pipeline; the first error, if any, is thrown. */
function unwrap(res: [Error | null, unknown][] | null): unknown[] {
  return (res ?? []).map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

async function scanKeys(redis: Redis, pattern: string, onBatch: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await onBatch(keys);
  } while (cursor !== '0');
}

/**
 * The Redis-backed index of a namespace. `redis` is an ioredis connection the caller owns
 * (it is not closed here); several indexes and workers may share the namespace at once.
 */
export function createRedisIndex(redis: Redis, namespace: string, options: RedisIndexOptions = {}): DedupIndex {
  const params = resolveParams(options.params);
  const prefix = dedupKeyPrefix(namespace);
  const store = new RedisStore(redis, prefix);
  return {
    assign: (doc) => assignDocument(store, doc, params, options),
    clusters: (ids) => describeClusters(store, ids),
    async stats(): Promise<IndexStats> {
      const [messages, documents, clusters] = await Promise.all([
        redis.hlen(store.k.member),
        redis.hlen(store.k.docs),
        redis.hget(store.k.meta, 'clusters'),
      ]);
      // Memory: the hashes (sampled inside big hashes), the cluster lists by sample.
      let bytes = 0;
      for (const key of Object.values(store.k)) bytes += Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '64')) ?? 0);
      let lists = 0;
      const sample: string[] = [];
      await scanKeys(redis, `${prefix}c:*`, async (keys) => {
        lists += keys.length;
        for (const k of keys) if (sample.length < 200) sample.push(k);
      });
      if (sample.length) {
        let s = 0;
        for (const key of sample) s += Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0);
        bytes += Math.round((s / sample.length) * lists);
      }
      return { namespace, messages, clusters: Number(clusters ?? 0), documents, bytes };
    },
    async reset() {
      await scanKeys(redis, `${prefix}*`, async (keys) => {
        for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
      });
    },
  };
}
