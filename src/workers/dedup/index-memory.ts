// The near-duplicate index in process memory: for --inline runs, unit tests and the benchmark's
// baseline. Same logic (engine.ts) and same commit semantics as the Redis index.
import { assignDocument, describeClusters, type CommitPlan, type CommitResult, type StoreOps } from './engine.js';
import { BucketTable } from './bucket-table.js';
import type { DedupIndex, IndexStats } from './index-types.js';
import { resolveParams, type SimilarityParams } from './similarity.js';

export interface MemoryIndexOptions {
  params?: Partial<SimilarityParams>;
}

class MemoryStore implements StoreOps {
  docs = new Map<string, string>();
  paths = new Map<string, string>();
  exactMap = new Map<string, string>();
  /** LSH bucket field -> mids, as the Redis index's bucket hash holds them */
  bucketTable = new BucketTable();
  memberMap = new Map<string, string>();
  clusterMap = new Map<string, string[]>();
  docNum = 0;
  clusters = 0;

  async begin(doc: string) {
    return { existing: this.docs.get(doc) ?? null, docNum: ++this.docNum };
  }
  async getDocs(docs: string[]) {
    return docs.map((d) => this.docs.get(d) ?? null);
  }
  async getPaths(docs: string[]) {
    return docs.map((d) => this.paths.get(d) ?? null);
  }
  async lookup(fields: string[], keys: string[]) {
    return { buckets: fields.map((f) => this.bucketTable.get(f)), exact: keys.map((k) => this.exactMap.get(k) ?? null) };
  }
  async members(mids: string[]) {
    return mids.map((m) => this.memberMap.get(m) ?? null);
  }
  async clusterMembers(cids: string[]) {
    return cids.map((c) => [...(this.clusterMap.get(c) ?? [])]);
  }
  /** Mirrors lua/commit-document.lua step for step. */
  async commit(p: CommitPlan): Promise<CommitResult> {
    const existing = this.docs.get(p.doc);
    if (existing !== undefined) return { status: 'exists', record: existing };
    // Bucket values are mids (ASCII), so their length in characters is their length in bytes.
    for (const [f, len] of p.checks) if (this.bucketTable.valueLength(f) !== len) return { status: 'conflict' };
    for (const k of p.absent) if (this.exactMap.has(k)) return { status: 'conflict' };
    for (const [f, mid] of p.bucketAdd) this.bucketTable.add(f, mid, p.maxBucket);
    for (const [k, mid] of p.exactAdd) if (!this.exactMap.has(k)) this.exactMap.set(k, mid);
    for (const [mid, rec] of p.members) this.memberMap.set(mid, rec);
    for (const [cid, root, mid] of p.clusterAdd) {
      const list = this.clusterMap.get(cid);
      if (list) list.push(mid);
      else this.clusterMap.set(cid, [root, mid]);
    }
    this.clusters += p.newClusters;
    this.paths.set(p.doc, p.path);
    this.docs.set(p.doc, p.rec);
    return { status: 'ok' };
  }
}

export function createMemoryIndex(namespace = 'default', options: MemoryIndexOptions = {}): DedupIndex {
  const params = resolveParams(options.params);
  let store = new MemoryStore();
  return {
    assign: (doc) => assignDocument(store, doc, params),
    clusters: (ids) => describeClusters(store, ids),
    async stats(): Promise<IndexStats> {
      let bytes = 0;
      for (const m of [store.docs, store.paths, store.exactMap, store.memberMap]) for (const [k, v] of m) bytes += 2 * (k.length + v.length);
      bytes += store.bucketTable.bytes();
      for (const [k, v] of store.clusterMap) bytes += 2 * (k.length + v.join(',').length);
      return {
        namespace,
        messages: store.memberMap.size,
        clusters: store.clusters,
        documents: store.docs.size,
        bytes,
      };
    },
    async reset() {
      store = new MemoryStore();
    },
  };
}
