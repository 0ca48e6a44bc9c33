// The near-duplicate index logic shared by the in-memory and the Redis index. A store only
// offers a few primitive reads and one atomic `commit`; everything that decides which cluster a
// message joins lives here, so both stores give the same answers for the same sequence of
// documents.
//
// Per document (optimistic concurrency):
//   1. read: the LSH buckets of every message's bands and the exact-text entries, then the
//      candidate members and their clusters' first occurrences;
//   2. decide (pure, synchronous): verify every candidate (true Jaccard over word 1-2-grams)
//      and link each message to its best verified match, or start a new cluster;
//   3. commit atomically, on the condition that none of the buckets and exact entries read in
//      step 1 changed since (a Lua script in Redis); when another worker got there first, read
//      again and redo step 2. The winner's messages are then candidates for the loser, so two
//      workers meeting near-identical messages at the same instant still produce one cluster.
import type { ClusterInfo, IndexSegment, SegmentAssignment } from './index-types.js';
import { midNumber } from './mid.js';
import {
  clusterId,
  decodeFeatures,
  encodeFeatures,
  linkThreshold,
  messageFeatures,
  roundSimilarity,
  similarity,
  similarityAtLeast,
  type MessageFeatures,
  type SimilarityParams,
} from './similarity.js';

/** One indexed message. `mid` is "<document number>.<segment index>". */
export interface MemberRecord {
  doc: string;
  seg: number;
  cluster: string;
  /** mid of the cluster's first occurrence */
  root: string;
  /** similarity to the first occurrence */
  sim: number;
  /** verification features (encodeFeatures); null for exact repeats, which are never candidates themselves */
  feat: string | null;
  /**
   * Original text of a cluster's first occurrence, in records written before texts were kept
   * apart (StoreOps.texts); null in newer records. Texts are read only to write messages.jsonl,
   * while records are read for every candidate (a first occurrence's text averages ~530 bytes
   * in the synthetic corpus).
   */
  text: string | null;
}

/**
 * "doc\tseg\tcluster\troot\tsim\tfeat\ttext", empty fields for null (indexed messages always
 * have words, so a real text is never empty; texts hold no tabs: clean turns them into spaces).
 * Records written before features were stored have six fields (text last) or five (repeats):
 * their features are computed from the text when they are met as candidates.
 */
export function encodeMember(m: MemberRecord): string {
  return `${m.doc}\t${m.seg}\t${m.cluster}\t${m.root}\t${m.sim}\t${m.feat ?? ''}\t${m.text ?? ''}`;
}

export function decodeMember(s: string): MemberRecord {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 6 && from >= 0; i++) {
    const tab = s.indexOf('\t', from);
    parts.push(tab < 0 ? s.slice(from) : s.slice(from, tab));
    from = tab < 0 ? -1 : tab + 1;
  }
  const m: MemberRecord = {
    doc: parts[0]!,
    seg: Number(parts[1]),
    cluster: parts[2]!,
    root: parts[3]!,
    sim: Number(parts[4]),
    feat: null,
    text: null,
  };
  if (from >= 0) {
    m.feat = parts[5] || null;
    m.text = s.slice(from) || null;
  } else if (parts.length === 6) m.text = parts[5] || null; // older record: text, no features
  return m;
}

/** What the index keeps per document: its number, path and the answer it was given. */
export interface DocRecord {
  n: number;
  path: string;
  a: SegmentAssignment[];
}

/** One atomic update of the index, applied only if the index did not change since it was read. */
export interface CommitPlan {
  doc: string;
  path: string;
  /** DocRecord as JSON */
  rec: string;
  /** bucket fields read that had room (full ones never change), with the length in bytes of their value when read */
  checks: [string, number][];
  /** exact-text keys that were absent when read */
  absent: string[];
  /** bucket field, mid: appended unless the bucket holds maxBucket members */
  bucketAdd: [string, string][];
  /** exact-text key, mid: set if absent */
  exactAdd: [string, string][];
  /** mid, encoded MemberRecord */
  members: [string, string][];
  /** mid, text: the original text of each message that starts a cluster */
  texts: [string, string][];
  /** cluster id, root mid, mid: appended to the cluster's occurrence list (created with the root first) */
  clusterAdd: [string, string, string][];
  maxBucket: number;
  /** clusters this document starts */
  newClusters: number;
}

export type CommitResult = { status: 'ok' } | { status: 'conflict' } | { status: 'exists'; record: string };

/** The primitives a store offers the shared logic. */
export interface StoreOps {
  /**
   * The record of a document already indexed, and a new document number, in one round trip
   * (a number is drawn even when the record exists: numbers only need to be unique and ordered).
   */
  begin(doc: string): Promise<{ existing: string | null; docNum: number }>;
  getDocs(docs: string[]): Promise<(string | null)[]>;
  /** document paths (absent for documents indexed before paths were kept apart) */
  getPaths(docs: string[]): Promise<(string | null)[]>;
  /** the values of these bucket fields and exact-text keys, in one round trip */
  lookup(fields: string[], keys: string[]): Promise<{ buckets: (string | null)[]; exact: (string | null)[] }>;
  members(mids: string[]): Promise<(string | null)[]>;
  /** texts of first occurrences (null where none is kept apart: see MemberRecord.text) */
  texts(mids: string[]): Promise<(string | null)[]>;
  /** occurrence lists (mids, first occurrence first) of clusters with two or more occurrences */
  clusterMembers(cids: string[]): Promise<string[][]>;
  commit(plan: CommitPlan): Promise<CommitResult>;
}

export interface Snapshot {
  buckets: Map<string, string[]>;
  bucketLen: Map<string, number>;
  exact: Map<string, string | null>;
  members: Map<string, MemberRecord>;
}

function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

export async function readSnapshot(store: StoreOps, features: MessageFeatures[], p: SimilarityParams): Promise<Snapshot> {
  const bandFields = unique(features.flatMap((f) => f.bands));
  const exactKeys = unique(features.filter((f) => f.words > 0).map((f) => f.exact));
  const { buckets: bvals, exact: evals } = await store.lookup(bandFields, exactKeys);
  const buckets = new Map<string, string[]>();
  const bucketLen = new Map<string, number>();
  const mids = new Set<string>();
  bandFields.forEach((f, i) => {
    const v = bvals[i] ?? null;
    bucketLen.set(f, v === null ? 0 : Buffer.byteLength(v));
    buckets.set(f, v === null || v === '' ? [] : v.split(','));
  });
  // Only the members decide() can pick are loaded: each message's capped candidates. The
  // document's own messages, added to the buckets in decide(), can push a stored member out
  // of a message's top candidates but never pull another one in.
  for (const f of features) {
    for (const m of candidates(f.bands.map((b) => buckets.get(b) ?? []), p.maxCandidates)) mids.add(m);
  }
  const exact = new Map<string, string | null>();
  exactKeys.forEach((k, i) => {
    const v = evals[i] ?? null;
    exact.set(k, v);
    if (v !== null) mids.add(v);
  });
  const members = new Map<string, MemberRecord>();
  const load = async (ids: string[]) => {
    if (ids.length === 0) return;
    const vals = await store.members(ids);
    ids.forEach((id, i) => {
      const v = vals[i];
      if (v) members.set(id, decodeMember(v));
    });
  };
  await load([...mids]);
  await load(unique([...members.values()].map((m) => m.root)).filter((r) => !members.has(r)));
  return { buckets, bucketLen, exact, members };
}

/** Process-wide counters, for the benchmark and the evaluation script. */
export const engineCounters = { messages: 0, candidates: 0, linked: 0, conflicts: 0 };

/** Verification features of a stored message (null for exact repeats, never candidates). */
function storedFeatures(m: MemberRecord, p: SimilarityParams): MessageFeatures | null {
  if (m.feat !== null) return decodeFeatures(m.feat, p);
  return m.text !== null ? messageFeatures(m.text, p, false) : null; // a record from before features were stored
}

/**
 * The LSH candidates of a message: members of its buckets, at most `max` of them, those sharing
 * the most bands with it first (a pair of Jaccard J shares about bands * J^rows of them), then
 * the earliest. Deterministic, so every worker picks the same ones.
 */
export function candidates(buckets: string[][], max: number): Set<string> {
  const shared = new Map<string, number>();
  for (const list of buckets) for (const m of list) shared.set(m, (shared.get(m) ?? 0) + 1);
  if (shared.size <= max) return new Set(shared.keys());
  // The best `max` by a bounded insertion rather than sorting every bucket-mate: buckets fill as
  // the index grows, and the sort was the part of a lookup that grew with it. Most mates share
  // one band with the message and fall behind the current last place at the first comparison.
  const top: { m: string; n: number; order: number }[] = [];
  for (const [m, n] of shared) {
    const last = top.length === max ? top[max - 1]! : null;
    if (last && n < last.n) continue;
    const order = midNumber(m);
    if (last && n === last.n && order >= last.order) continue;
    let i = last ? max - 1 : top.length;
    while (i > 0 && (top[i - 1]!.n < n || (top[i - 1]!.n === n && top[i - 1]!.order > order))) i--;
    top.splice(i, 0, { m, n, order });
    if (top.length > max) top.pop();
  }
  return new Set(top.map((r) => r.m));
}

export interface Decision {
  plan: CommitPlan;
  assignments: SegmentAssignment[];
}

/** Step 2: the pure decision for one document, given what the index held when read. */
export function decide(
  doc: { id: string; path: string; segments: IndexSegment[] },
  docNum: number,
  features: MessageFeatures[],
  snap: Snapshot,
  p: SimilarityParams,
): Decision {
  const overlay = new Map<string, string[]>();
  const bucketList = (f: string) => overlay.get(f) ?? snap.buckets.get(f) ?? [];
  const exact = new Map(snap.exact);
  const members = new Map(snap.members);
  const featCache = new Map<string, MessageFeatures>();
  const featOf = (mid: string): MessageFeatures | null => {
    let f = featCache.get(mid);
    if (!f) {
      const m = members.get(mid);
      if (!m) return null;
      const sf = storedFeatures(m, p);
      if (!sf) return null;
      featCache.set(mid, (f = sf));
    }
    return f;
  };
  const plan: CommitPlan = {
    doc: doc.id,
    path: doc.path,
    rec: '',
    // A full bucket never changes (nothing is appended to it), so only the others are checked;
    // the larger the index, the more of the buckets read are full.
    checks: [...snap.bucketLen.entries()].filter(([f]) => (snap.buckets.get(f)?.length ?? 0) < p.maxBucket),
    absent: [...snap.exact.entries()].filter(([, v]) => v === null).map(([k]) => k),
    bucketAdd: [],
    exactAdd: [],
    members: [],
    texts: [],
    clusterAdd: [],
    maxBucket: p.maxBucket,
    newClusters: 0,
  };
  const assignments: SegmentAssignment[] = [];

  doc.segments.forEach((seg, i) => {
    const f = features[i]!;
    const mid = `${docNum}.${seg.index}`;
    if (f.words === 0) {
      // Nothing to compare (punctuation only): a cluster of its own, not indexed.
      assignments.push({ index: seg.index, cluster: clusterId(doc.id, seg.index), duplicateOf: null });
      return;
    }
    const exactHit = exact.get(f.exact) ?? null;
    const cands = candidates(f.bands.map(bucketList), p.maxCandidates);
    if (exactHit !== null) cands.add(exactHit);

    // Every verified candidate, best first. A message joins the cluster of the best one it is
    // close to (chainThreshold) or whose cluster's first occurrence it is also similar to: a
    // weak link through a middle message chains clusters (A~C and C~D put A and D together
    // though A and D differ), and which clusters chain would depend on the workers' order.
    const verified: { mid: string; sim: number }[] = [];
    const matchedDocs = new Set<string>();
    engineCounters.messages++;
    engineCounters.candidates += cands.size;
    for (const c of cands) {
      const m = members.get(c);
      const cf = featOf(c);
      if (!m || !cf) continue;
      const sim = similarityAtLeast(f, cf, linkThreshold(f, cf, p));
      if (sim < 0) continue;
      if (m.doc !== doc.id) matchedDocs.add(m.doc);
      verified.push({ mid: c, sim });
    }
    verified.sort((a, b) => b.sim - a.sim || midNumber(a.mid) - midNumber(b.mid));

    let cluster: string;
    let root: string;
    let rootSim = 1;
    let duplicateOf: SegmentAssignment['duplicateOf'] = null;
    let link: { bm: MemberRecord; sim: number; rootSim: number } | null = null;
    for (const v of verified) {
      const bm = members.get(v.mid)!;
      const rf = bm.root === v.mid ? null : featOf(bm.root);
      // similarity to the cluster's first occurrence (a root without features, from an index
      // that lost them, cannot be checked: the candidate's own similarity stands in)
      const rootSim = rf ? similarity(f, rf, p) : v.sim;
      if (!rf || v.sim >= p.chainThreshold || rootSim >= linkThreshold(f, rf, p)) {
        link = { bm, sim: v.sim, rootSim };
        break;
      }
    }
    if (link) {
      const { bm } = link;
      cluster = bm.cluster;
      root = bm.root;
      rootSim = link.rootSim;
      const rm = members.get(root);
      duplicateOf = rm
        ? { doc: rm.doc, segment: rm.seg, similarity: roundSimilarity(rootSim) }
        : { doc: bm.doc, segment: bm.seg, similarity: roundSimilarity(link.sim) };
      plan.clusterAdd.push([cluster, root, mid]);
      engineCounters.linked++;
    } else {
      cluster = clusterId(doc.id, seg.index);
      root = mid;
      plan.newClusters++;
    }

    // An exact repeat adds nothing a later lookup could need: it is recorded as an occurrence
    // only, without text, bucket entries or exact entry.
    const repeat = exactHit !== null;
    const rec: MemberRecord = {
      doc: doc.id,
      seg: seg.index,
      cluster,
      root,
      sim: roundSimilarity(rootSim),
      feat: repeat ? null : encodeFeatures(f),
      text: null,
    };
    members.set(mid, rec);
    plan.members.push([mid, encodeMember(rec)]);
    if (root === mid) plan.texts.push([mid, seg.text]);
    if (!repeat) {
      exact.set(f.exact, mid);
      plan.exactAdd.push([f.exact, mid]);
      for (const b of f.bands) {
        const list = bucketList(b);
        if (list.length < p.maxBucket) {
          overlay.set(b, [...list, mid]);
          plan.bucketAdd.push([b, mid]);
        }
      }
    }
    const a: SegmentAssignment = { index: seg.index, cluster, duplicateOf };
    if (matchedDocs.size > 0) a.matchedDocs = [...matchedDocs].sort();
    assignments.push(a);
  });

  const rec: DocRecord = { n: docNum, path: doc.path, a: assignments };
  plan.rec = JSON.stringify(rec);
  return { plan, assignments };
}

export interface AssignOptions {
  /** attempts before giving up when other workers keep changing the same buckets */
  maxAttempts?: number;
}

/** assign() of both indexes: idempotent, retried on conflicting concurrent commits. */
export async function assignDocument(
  store: StoreOps,
  doc: { id: string; path: string; segments: IndexSegment[] },
  p: SimilarityParams,
  opts: AssignOptions = {},
): Promise<SegmentAssignment[]> {
  const { existing, docNum } = await store.begin(doc.id);
  if (existing !== null) return (JSON.parse(existing) as DocRecord).a;
  const features = doc.segments.map((s) => messageFeatures(s.text, p));
  const maxAttempts = opts.maxAttempts ?? 200;
  for (let attempt = 1; ; attempt++) {
    const snap = await readSnapshot(store, features, p);
    const { plan, assignments } = decide(doc, docNum, features, snap, p);
    const r = await store.commit(plan);
    if (r.status === 'ok') return assignments;
    if (r.status === 'exists') return (JSON.parse(r.record) as DocRecord).a;
    engineCounters.conflicts++;
    if (attempt >= maxAttempts) {
      throw new Error(`dedup index: document ${doc.id} could not be committed after ${attempt} attempts (the index kept changing under it)`);
    }
    // Back off a little, with jitter, so colliding workers do not collide again.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
  }
}

/** clusters() of both indexes. Clusters with a single occurrence are absent from the map. */
export async function describeClusters(store: StoreOps, ids: string[]): Promise<Map<string, ClusterInfo>> {
  const out = new Map<string, ClusterInfo>();
  const cids = unique(ids);
  if (cids.length === 0) return out;
  const lists = await store.clusterMembers(cids);
  const mids = unique(lists.flat());
  const recs = new Map<string, MemberRecord>();
  const vals = mids.length ? await store.members(mids) : [];
  mids.forEach((m, i) => {
    const v = vals[i];
    if (v) recs.set(m, decodeMember(v));
  });
  // texts of the first occurrences, kept apart from their records (older records hold theirs)
  const firsts = lists.filter((l) => l.length >= 2).map((l) => l[0]!);
  const needText = firsts.filter((m) => recs.has(m) && recs.get(m)!.text === null);
  const textVals = needText.length ? await store.texts(needText) : [];
  needText.forEach((m, i) => {
    const t = textVals[i];
    if (t != null) recs.get(m)!.text = t;
  });
  const docIds = unique([...recs.values()].map((r) => r.doc));
  const paths = new Map<string, string>();
  const pathVals = docIds.length ? await store.getPaths(docIds) : [];
  docIds.forEach((d, i) => {
    const v = pathVals[i];
    if (v != null) paths.set(d, v);
  });
  // An index written before paths were kept apart: the path is in the document's record.
  const older = docIds.filter((d) => !paths.has(d));
  const docVals = older.length ? await store.getDocs(older) : [];
  older.forEach((d, i) => {
    const v = docVals[i];
    if (v) paths.set(d, (JSON.parse(v) as DocRecord).path);
  });
  cids.forEach((cid, i) => {
    const list = lists[i] ?? [];
    if (list.length < 2) return;
    const first = recs.get(list[0]!);
    if (!first) return;
    const occurrences = list.flatMap((mid, j) => {
      const r = recs.get(mid);
      if (!r) return [];
      return [{ doc: r.doc, path: paths.get(r.doc) ?? '', segment: r.seg, similarity: j === 0 ? 1 : r.sim }];
    });
    out.set(cid, { cluster: cid, text: first.text ?? '', occurrences });
  });
  return out;
}
