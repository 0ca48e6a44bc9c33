// The near-duplicate index in process memory: for --inline runs, unit tests and the benchmark's
// baseline. Same logic (engine.ts) and same commit semantics as the Redis index.
import { assignDocument, decodeMember, describeClusters, type CommitPlan, type CommitResult, type StoreOps } from './engine.js';
import { BucketTable } from './bucket-table.js';
import { midNumber, midString } from './mid.js';
import { NumberTable } from './number-table.js';
import { StringArena } from './string-arena.js';
import type { DedupIndex, IndexStats } from './index-types.js';
import { resolveParams, type SimilarityParams } from './similarity.js';

export interface MemoryIndexOptions {
  params?: Partial<SimilarityParams>;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The first 52 bits of an exact-text key (base64 of a SHA-1, similarity.ts exactKey) as a
 * number. Two keys can share them (about once in 10^4 indexes of a million messages): a hit is
 * checked against the key stored in the message's record.
 */
function exactNumber(key: string): number {
  let n = 0;
  for (let i = 0; i < 9; i++) {
    const d = B64.indexOf(key[i] ?? '');
    if (d < 0) throw new RangeError(`not an exact-text key: ${JSON.stringify(key)}`);
    n = i < 8 ? n * 64 + d : n * 16 + (d >> 2);
  }
  return n;
}

/**
 * The index's records (documents and messages) are UTF-8 in a StringArena and its maps are
 * typed tables, so a million indexed messages are a few large objects for the garbage collector,
 * not millions of small ones.
 */
class MemoryStore implements StoreOps {
  arena = new StringArena();
  /** document id -> arena handle of its DocRecord */
  docs = new Map<string, number>();
  paths = new Map<string, string>();
  /** exactNumber(key) -> message number (mid.ts) */
  exactTable = new NumberTable();
  /** LSH bucket field -> mids, as the Redis index's bucket hash holds them */
  bucketTable = new BucketTable();
  /** message number -> arena handle of its MemberRecord */
  memberTable = new NumberTable();
  /** message number -> arena handle of the text of a cluster's first occurrence */
  textTable = new NumberTable();
  clusterMap = new Map<string, string[]>();
  docNum = 0;
  clusters = 0;

  private doc(id: string): string | null {
    const h = this.docs.get(id);
    return h === undefined ? null : this.arena.get(h);
  }
  private member(mid: number): string | null {
    const h = this.memberTable.get(mid);
    return h < 0 ? null : this.arena.get(h);
  }
  private exact(key: string): string | null {
    const mid = this.exactTable.get(exactNumber(key));
    if (mid < 0) return null;
    const rec = this.member(mid);
    return rec !== null && decodeMember(rec).feat?.startsWith(`${key}:`) ? midString(mid) : null;
  }

  async begin(doc: string) {
    return { existing: this.doc(doc), docNum: ++this.docNum };
  }
  async getDocs(docs: string[]) {
    return docs.map((d) => this.doc(d));
  }
  async getPaths(docs: string[]) {
    return docs.map((d) => this.paths.get(d) ?? null);
  }
  async lookup(fields: string[], keys: string[]) {
    return { buckets: fields.map((f) => this.bucketTable.get(f)), exact: keys.map((k) => this.exact(k)) };
  }
  async members(mids: string[]) {
    return mids.map((m) => this.member(midNumber(m)));
  }
  async texts(mids: string[]) {
    return mids.map((m) => {
      const h = this.textTable.get(midNumber(m));
      return h < 0 ? null : this.arena.get(h);
    });
  }
  async clusterMembers(cids: string[]) {
    return cids.map((c) => [...(this.clusterMap.get(c) ?? [])]);
  }
  /** Mirrors lua/commit-document.lua step for step. */
  async commit(p: CommitPlan): Promise<CommitResult> {
    const existing = this.doc(p.doc);
    if (existing !== null) return { status: 'exists', record: existing };
    // Bucket values are mids (ASCII), so their length in characters is their length in bytes.
    for (const [f, len] of p.checks) if (this.bucketTable.valueLength(f) !== len) return { status: 'conflict' };
    for (const k of p.absent) if (this.exact(k) !== null) return { status: 'conflict' };
    for (const [f, mid] of p.bucketAdd) this.bucketTable.add(f, mid, p.maxBucket);
    // Members first: an exact entry is checked against its member's record.
    for (const [mid, rec] of p.members) this.memberTable.set(midNumber(mid), this.arena.put(rec));
    for (const [mid, text] of p.texts) this.textTable.set(midNumber(mid), this.arena.put(text));
    for (const [k, mid] of p.exactAdd) {
      const n = exactNumber(k);
      if (!this.exactTable.has(n)) this.exactTable.set(n, midNumber(mid));
    }
    for (const [cid, root, mid] of p.clusterAdd) {
      const list = this.clusterMap.get(cid);
      if (list) list.push(mid);
      else this.clusterMap.set(cid, [root, mid]);
    }
    this.clusters += p.newClusters;
    this.paths.set(p.doc, p.path);
    this.docs.set(p.doc, this.arena.put(p.rec));
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
      let bytes = store.arena.bytes() + store.exactTable.bytes() + store.memberTable.bytes() + store.textTable.bytes() + store.bucketTable.bytes();
      for (const [k, v] of store.paths) bytes += 2 * (k.length + v.length);
      for (const k of store.docs.keys()) bytes += 2 * k.length + 8;
      for (const [k, v] of store.clusterMap) bytes += 2 * (k.length + v.join(',').length);
      return {
        namespace,
        messages: store.memberTable.size,
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
