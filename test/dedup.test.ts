import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CleanDoc } from '../src/shared/schemas.js';
import { DedupDoc } from '../src/shared/schemas.js';
import { dedup } from '../src/workers/dedup/dedup.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';
import { DEFAULT_PARAMS, decodeFeatures, encodeFeatures, messageFeatures, normalizeTokens, similarity, linkThreshold } from '../src/workers/dedup/similarity.js';
import { candidates, decodeMember, encodeMember } from '../src/workers/dedup/engine.js';
import { midNumber } from '../src/workers/dedup/mid.js';
import { cleanDocFromLines, generateCorpus } from '../src/synth/generate.js';
import { scoreCorpus } from '../src/synth/evaluate-dedup.js';

const p = DEFAULT_PARAMS;
const linked = (a: string, b: string) => {
  const fa = messageFeatures(a, p);
  const fb = messageFeatures(b, p);
  return similarity(fa, fb, p) >= linkThreshold(fa, fb, p);
};

const MARCH_A =
  'On March 23rd, Secretary-General Antonio Guterres issued an urgent appeal for a global ceasefire to all corners of the world to focus together on defeating COVID-19. He repeated the call at the start of the 75th UN General Assembly session in September, to achieve the ceasefire by the end of the year. Since March, some 180 countries, the Security Council, regional organizations, civil society groups, peace advocates and millions of global citizens have endorsed the Secretary-General’s call. The clock is ticking and there is no time to waste.  Get involved and sign the urgent call to support!';
const MARCH_B =
  'On March 23rd, Secretary-General Antonio Guterres issued an urgent appeal for a global ceasefire in all corners of the world to focus together on the true fight – defeating COVID-19. He repeated the call at the start of the 75th UN General Assembly session in September. He called for the global ceasefire to become a reality by the end of the year. Since March, 180 countries, the Security Council, regional organizations, civil society groups, peace advocates and millions of global citizens have endorsed the Secretary-General’s ceasefire call. Get involved and sign the urgent call to support!';
// shares its first sentences with MARCH_B (similarity ~0.47), much less with MARCH_A (~0.33)
const MARCH_C =
  'On 23 March, Secretary-General Antonio Guterres issued an urgent appeal for a global ceasefire in all corners of the world to focus together on the true fight – defeating COVID-19. He repeated the call at the start of the 75th UN General Assembly session in September. He called for the global ceasefire to become a reality by the end of the year. Silencing the guns can not only support the fight against COVID-19, but also create opportunities for life-saving aid, open windows for diplomacy and bring hope to people suffering in conflict zones who are particularly vulnerable to the pandemic.';
const LONG_1 =
  'The council met in Geneva to discuss the humanitarian situation in the region. Delegates heard reports on food insecurity, displacement and the lack of access for aid convoys. Several members called for an immediate pause in the fighting. The meeting ended without a joint statement, although consultations will continue next week.';
const LONG_2 =
  'Teachers across the country returned to classrooms after months of remote learning, and ministries reported rising enrolment. Several members called for an immediate pause in the fighting. Donors pledged new funding for school meals, textbooks and teacher training, with a focus on girls in rural districts.';

describe('normalisation', () => {
  it('folds case, accents, quotes, dashes and date formats', () => {
    expect(normalizeTokens('António GUTERRES’ “call” – COVID-19')).toEqual(['antonio', 'guterres', 'call', 'covid19']);
    expect(normalizeTokens('On March 23rd, 2021')).toEqual(normalizeTokens('on 23 March 2021'));
    expect(normalizeTokens('on 2021-03-23')).toEqual(normalizeTokens('on 23/03/2021'));
    expect(normalizeTokens('1,000 people')).toEqual(['1000', 'people']);
    expect(normalizeTokens('  ()  –  ')).toEqual([]);
  });
  it('keeps words that name Object.prototype members as they are', () => {
    const words = ['constructor', 'tostring', 'valueof', 'hasownproperty', 'isprototypeof', 'tolocalestring'];
    expect(normalizeTokens(words.join(' '))).toEqual(words);
    expect(normalizeTokens('__proto__ toString')).toEqual(['proto', 'tostring']);
    expect(normalizeTokens('Sept. 5th')).toEqual(['5', 'september']);
    const f = messageFeatures('The constructor said the bridge will open in May, the constructor said.', DEFAULT_PARAMS);
    expect(f.words).toBe(12);
    expect(f.bands.length).toBe(DEFAULT_PARAMS.bands);
  });
});

describe('similarity on hand-picked pairs', () => {
  it('links identical captions, also when they only differ in case and punctuation', () => {
    expect(linked('girls cheering', 'girls cheering')).toBe(true);
    expect(linked('Knotted gun sculpture.', 'knotted gun sculpture')).toBe(true);
  });
  it('does not link different short captions', () => {
    expect(linked('girls cheering', 'boys cheering')).toBe(false);
    expect(linked('Secretary-General', 'UN Secretary-General')).toBe(false);
  });
  it('does not link a short caption to a longer paragraph that contains it', () => {
    expect(linked('Many doves on the ground start to take flight.', `Many doves on the ground start to take flight. ${LONG_1}`)).toBe(false);
  });
  it('does not link two long paragraphs that share one sentence', () => {
    expect(linked(LONG_1, LONG_2)).toBe(false);
  });
  it('links rewrites with small edits: date formats, a changed preposition, inserted words', () => {
    expect(linked(MARCH_A, MARCH_B)).toBe(true);
    expect(linked(MARCH_B, MARCH_B.replace('On March 23rd', 'On 23 March'))).toBe(true);
    expect(linked('The Horn of Africa region is prone to recurrent droughts and floods.', 'The Horn of Africa region is very prone to recurrent droughts and floods!')).toBe(true);
  });
  it('gives similarity 1 to identical normalised text only', () => {
    const a = messageFeatures(LONG_1, p);
    expect(similarity(a, messageFeatures(LONG_1.toUpperCase(), p), p)).toBe(1);
    expect(similarity(a, messageFeatures(LONG_1.replace('Geneva', 'Vienna'), p), p)).toBeLessThan(1);
  });
});

describe('stored features', () => {
  it('verify a stored message exactly as its text would', () => {
    for (const [x, y] of [[MARCH_A, MARCH_B], [LONG_1, LONG_2], [LONG_1, LONG_1.toUpperCase()], ['girls cheering', 'Girls cheering.']] as const) {
      const fx = messageFeatures(x, p);
      const stored = decodeFeatures(encodeFeatures(messageFeatures(y, p, false)), p);
      expect(Array.from(stored.shingles)).toEqual(Array.from(messageFeatures(y, p).shingles));
      expect(similarity(fx, stored, p)).toBe(similarity(fx, messageFeatures(y, p), p));
    }
  });

  it('keep member records readable, also those written before features were stored', () => {
    const feat = encodeFeatures(messageFeatures(LONG_1, p));
    const root = { doc: 'd1', seg: 3, cluster: 'm1', root: '1.3', sim: 1, feat, text: LONG_1 };
    expect(decodeMember(encodeMember(root))).toEqual(root);
    const other = { ...root, root: '1.0', sim: 0.8, text: null };
    expect(decodeMember(encodeMember(other))).toEqual(other);
    const repeat = { ...other, feat: null };
    expect(decodeMember(encodeMember(repeat))).toEqual(repeat);
    expect(decodeMember(`d1\t3\tm1\t1.3\t1\t${LONG_1}`)).toEqual({ ...root, feat: null });
    expect(decodeMember('d1\t3\tm1\t1.0\t0.8')).toEqual({ ...repeat });
  });

  it('pick as candidates the bucket-mates sharing the most bands, then the earliest', () => {
    // against the plain definition (count, sort, cut) on random buckets with many ties
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let round = 0; round < 300; round++) {
      const buckets = Array.from({ length: 1 + rnd(25) }, () => Array.from({ length: rnd(13) }, () => `${1 + rnd(40)}.${rnd(3)}`));
      const max = 1 + rnd(8);
      const count = new Map<string, number>();
      for (const b of buckets) for (const m of b) count.set(m, (count.get(m) ?? 0) + 1);
      const expected = [...count].sort((a, b) => b[1] - a[1] || midNumber(a[0]) - midNumber(b[0])).slice(0, max).map(([m]) => m);
      expect([...candidates(buckets, max)]).toEqual(count.size <= max ? [...count.keys()] : expected);
    }
  });
});

const doc = (path: string, lines: string[]): CleanDoc => cleanDocFromLines(lines.map((text) => ({ kind: 'paragraph' as const, text })), path);

describe('dedup()', () => {
  it('links repeats across and within documents to the first occurrence', async () => {
    const index = createMemoryIndex('t1');
    const a = doc('a.txt', ['girls cheering', MARCH_A, LONG_1, 'Many doves on the ground start to take flight.']);
    const b = doc('b.txt', ['Girls cheering.', LONG_2, MARCH_B, MARCH_A, 'girls cheering']);
    const da = DedupDoc.parse(await dedup(a, index));
    const db = DedupDoc.parse(await dedup(b, index));
    expect(da.segments.every((s) => s.duplicateOf === null)).toBe(true);
    expect(new Set(da.segments.map((s) => s.cluster)).size).toBe(4);
    expect(db.segments[0]!.cluster).toBe(da.segments[0]!.cluster);
    expect(db.segments[0]!.duplicateOf).toEqual({ doc: a.id, segment: 0, similarity: 1 });
    expect(db.segments[1]!.duplicateOf).toBeNull();
    expect(db.segments[2]!.cluster).toBe(da.segments[1]!.cluster);
    expect(db.segments[2]!.duplicateOf!.doc).toBe(a.id);
    expect(db.segments[2]!.duplicateOf!.similarity).toBeGreaterThan(0.45);
    expect(db.segments[2]!.duplicateOf!.similarity).toBeLessThan(1);
    expect(db.segments[3]!.duplicateOf).toEqual({ doc: a.id, segment: 1, similarity: 1 });
    expect(db.segments[4]!.duplicateOf).toEqual({ doc: a.id, segment: 0, similarity: 1 });
    expect(db.nearDuplicateOf).toEqual({ doc: a.id, share: 0.8 });
    const clusters = await index.clusters([da.segments[0]!.cluster, da.segments[2]!.cluster]);
    expect(clusters.has(da.segments[2]!.cluster)).toBe(false); // seen once
    const c = clusters.get(da.segments[0]!.cluster)!;
    expect(c.text).toBe('girls cheering');
    expect(c.occurrences.map((o) => [o.path, o.segment])).toEqual([['a.txt', 0], ['b.txt', 0], ['b.txt', 4]]);
  });

  it('points duplicateOf to a lower index in the same document', async () => {
    const index = createMemoryIndex('t2');
    const d = DedupDoc.parse(await dedup(doc('c.txt', [MARCH_A, 'heading', MARCH_B, '()']), index));
    expect(d.segments[2]!.duplicateOf).toMatchObject({ doc: d.id, segment: 0 });
    expect(d.segments[2]!.cluster).toBe(d.segments[0]!.cluster);
    expect(d.segments[3]!.duplicateOf).toBeNull();
    expect(d.nearDuplicateOf).toBeNull();
  });

  it('does not chain clusters through a middle message, whichever document comes first', async () => {
    // MARCH_B is close to MARCH_A and (weakly) to MARCH_C, which is far from MARCH_A. Linking a
    // message to its best match alone put all three in one cluster when the document holding
    // MARCH_B came first, and in two when the other did.
    const fa = messageFeatures(MARCH_A, p);
    const fb = messageFeatures(MARCH_B, p);
    const fc = messageFeatures(MARCH_C, p);
    expect(similarity(fb, fc, p)).toBeGreaterThanOrEqual(p.threshold);
    expect(similarity(fb, fc, p)).toBeLessThan(p.chainThreshold);
    expect(similarity(fa, fc, p)).toBeLessThan(p.threshold);
    const groups = async (order: CleanDoc[]) => {
      const index = createMemoryIndex(`chain-${order[0]!.source.path}`);
      const members = new Map<string, string[]>();
      for (const d of order) {
        for (const s of (await dedup(d, index)).segments) members.set(s.cluster, [...(members.get(s.cluster) ?? []), `${d.source.path}#${s.index}`]);
      }
      return [...members.values()].map((m) => m.sort().join(' ')).sort();
    };
    const one = doc('one.txt', [MARCH_A, MARCH_C]);
    const two = doc('two.txt', [MARCH_A, MARCH_B, MARCH_C]);
    const expected = ['one.txt#0 two.txt#0 two.txt#1', 'one.txt#1 two.txt#2'];
    expect(await groups([one, two])).toEqual(expected);
    expect(await groups([two, one])).toEqual(expected);
  });

  it('is idempotent: the same document again gets the same answer', async () => {
    const index = createMemoryIndex('t3');
    await dedup(doc('a.txt', [MARCH_A, LONG_1]), index);
    const b = doc('b.txt', [MARCH_B, LONG_2]);
    const first = await dedup(b, index);
    const again = await dedup(b, index);
    expect(again).toEqual(first);
    expect((await index.stats()).documents).toBe(2);
  });
});

describe('synthetic corpus', () => {
  it('is deterministic and meets the targets for word Jaccard >= 0.7', async () => {
    const c1 = generateCorpus({ docs: 300, seed: 7 });
    const c2 = generateCorpus({ docs: 300, seed: 7 });
    expect(c2.docs.map((d) => d.id)).toEqual(c1.docs.map((d) => d.id));
    for (const d of c1.docs) expect(d.source.bytes).toBeLessThanOrEqual(10240 + 4096);
    const index = createMemoryIndex('synth');
    const clusters: string[][] = [];
    for (const d of c1.docs) clusters.push((await dedup(d, index)).segments.map((s) => s.cluster));
    const s = scoreCorpus(c1, (d, i) => clusters[d]![i]!);
    expect(s.atLeast07.precision).toBeGreaterThanOrEqual(0.99);
    expect(s.atLeast07.recall).toBeGreaterThanOrEqual(0.98);
  });
});

// ------------------------------------------------------------------ gold of the evaluation kit

const SHARED = fileURLToPath(new URL('../../shared', import.meta.url));
const EVAL = `${SHARED}/eval/gold`;

/** Runs the drop's files (one segment per non-empty line) through dedup and scores against the gold. */
async function scoreGold(goldFile: string, dir: string) {
  const gold = JSON.parse(readFileSync(`${EVAL}/${goldFile}`, 'utf8')) as { dedup: { clusters: string[][]; mayLink: string[][] } };
  const index = createMemoryIndex('gold');
  const cluster = new Map<string, string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    const key = /^\d{3}_/.test(f) ? f.slice(0, 3) : f.slice(0, -4);
    const raw = readFileSync(`${dir}/${f}`, 'utf8');
    const lines = raw.split(/\r?\n/).filter((l) => l.trim());
    const d = doc(f, lines);
    const hex = createHash('sha256').update(raw).digest('hex');
    const out = await dedup({ ...d, id: `sha256:${hex}`, source: { ...d.source, sha256: hex } }, index);
    out.segments.forEach((s, i) => cluster.set(`${key}:${i}`, s.cluster));
  }
  const pk = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const goldPairs = new Set<string>();
  for (const c of gold.dedup.clusters) for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) goldPairs.add(pk(c[i]!, c[j]!));
  const may = new Set(gold.dedup.mayLink.map(([a, b]) => pk(a!, b!)));
  const keys = [...cluster.keys()];
  let tp = 0, fp = 0, recalled = 0;
  const falsePairs: string[] = [];
  for (let i = 0; i < keys.length; i++)
    for (let j = i + 1; j < keys.length; j++) {
      if (cluster.get(keys[i]!) !== cluster.get(keys[j]!)) continue;
      const k = pk(keys[i]!, keys[j]!);
      if (goldPairs.has(k)) tp++;
      else if (!may.has(k)) {
        fp++;
        falsePairs.push(k);
      }
    }
  for (const k of goldPairs) {
    const [a, b] = k.split('|');
    if (cluster.get(a!) === cluster.get(b!)) recalled++;
  }
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: recalled / goldPairs.size, falsePairs };
}

describe.skipIf(!existsSync(`${SHARED}/seeds`) || !existsSync(EVAL))('sample drop gold', () => {
  it('has dedup precision 1 and recall 1', async () => {
    const s = await scoreGold('seeds.json', `${SHARED}/seeds`);
    expect(s.falsePairs).toEqual([]);
    expect(s.precision).toBe(1);
    expect(s.recall).toBe(1);
  });
});

describe.skipIf(!existsSync(`${SHARED}/corpora/ungdc`) || !existsSync(EVAL))('UN General Debate gold', () => {
  it('has precision >= 0.95 and recall >= 0.90', async () => {
    const s = await scoreGold('ungdc.json', `${SHARED}/corpora/ungdc`);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });
});
