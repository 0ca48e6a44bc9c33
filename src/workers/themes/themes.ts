// Theme tagging: scores every theme of the taxonomy on every segment from the word tokens
// the entity stage already computed (`doc.analysis`, no second parse), then aggregates the
// segments' evidence into document themes.
//
// Segment score, per theme (BM25-like; the taxonomy's weights play the part of IDF):
//   norm   = 1 - b + b * words / avgLength                   (length normalisation)
//   raw    = sum over matched terms of weight * tf * (k1 + 1) / (tf + k1 * norm)
//            - negativeWeight per negative term that overlaps no match
//   score  = raw / (raw + saturation)                        (in [0, 1))
// A theme tags the segment when score >= threshold AND either at least `minEvidence`
// distinct terms matched or one matched term weighs at least `strongWeight`: one weak term
// mentioned in passing never tags on its own, however often it is repeated. It must also
// reach `relative` x the score of the segment's strongest theme, so a strong word used in
// passing in a paragraph about something else does not tag it either.
// Occurrences inside a negative term of the same theme ("political climate", "computer
// virus") do not count. Within a theme the longest term wins, so "human rights" is not
// counted again as "rights".
//
// Document score, per theme: 0.5 * best segment score + 0.25 * share of the document's words
// in segments tagged with it + 0.25 * the score of all its evidence pooled over the document
// (term frequencies summed, saturated, no length normalisation). A document has a theme when
// one of its segments has it, or when the pooled evidence from at least two segments passes
// the theme's rule.
import type { DocTheme, EntitiesDoc, SegmentAnalysis, ThemedDoc } from '../../shared/schemas.js';
import { its, packAnalysis, readDoc, tokenize } from '../../shared/nlp.js';
import { isWord, type CompiledTerm, type CompiledTheme, type Taxonomy, type WordMatcher } from './taxonomy.js';

export interface TermHit {
  term: string;
  count: number;
  weight: number;
  /** this term's share of the raw score */
  contribution: number;
}

export interface ThemeScore {
  id: string;
  label: string;
  score: number;
  raw: number;
  tagged: boolean;
  /** why it is or is not tagged, one short phrase */
  reason: string;
  /** matched terms, largest contribution first */
  hits: TermHit[];
  /** positive terms whose occurrences were cancelled by a negative term */
  suppressed: string[];
  /** negative terms found outside any match, each lowering the raw score */
  penalties: string[];
}

interface Occurrence {
  term: CompiledTerm;
  start: number;
  end: number;
}

interface ThemeMatches {
  /** term -> count, after negatives and overlaps */
  counts: Map<CompiledTerm, number>;
  suppressed: Set<string>;
  penalties: CompiledTerm[];
  /** the counted occurrences, in text order */
  kept: Occurrence[];
}

/** Lower-cased normals and lemmas of the word tokens of `text` (what the entity stage passes on). */
export function analyseText(text: string): SegmentAnalysis {
  const normals: string[] = [];
  const lemmas: string[] = [];
  for (const t of tokenize(text)) {
    const normal = t.normal.toLowerCase();
    const lemma = t.lemma.toLowerCase();
    if (!isWord(normal) || /\s/.test(normal) || /\s/.test(lemma)) continue;
    normals.push(normal);
    lemmas.push(lemma);
  }
  return packAnalysis(normals, lemmas);
}

function wordMatches(m: WordMatcher, normal: string, lemma: string): boolean {
  if (m.kind === 'prefix') return normal.startsWith(m.prefix) || lemma.startsWith(m.prefix);
  return m.forms.includes(normal) || m.forms.includes(lemma);
}

/**
 * Word tokens of one segment, lower-cased, punctuation dropped (whatever the producer kept); an
 * empty lemma is the word's normal (see SegmentAnalysis).
 */
export function analysisWords(a: SegmentAnalysis | undefined): { normals: string[]; lemmas: string[] } {
  const normals: string[] = [];
  const lemmas: string[] = [];
  if (!a || a.normals === '') return { normals, lemmas };
  const ns = a.normals.split(' ');
  const ls = a.lemmas.split(' ');
  for (let i = 0; i < ns.length; i++) {
    const n = ns[i]!.toLowerCase();
    if (!isWord(n)) continue;
    normals.push(n);
    lemmas.push((ls[i] || n).toLowerCase());
  }
  return { normals, lemmas };
}

/** Every occurrence of every term (positive and negative) in the token sequence. */
function findOccurrences(tax: Taxonomy, normals: string[], lemmas: string[]): Occurrence[] {
  const { byFirstForm, prefixFirst } = tax.compiled;
  const out: Occurrence[] = [];
  for (let i = 0; i < normals.length; i++) {
    const n = normals[i]!;
    const l = lemmas[i]!;
    const candidates = new Set<CompiledTerm>();
    for (const c of byFirstForm.get(n) ?? []) candidates.add(c);
    if (l !== n) for (const c of byFirstForm.get(l) ?? []) candidates.add(c);
    for (const c of prefixFirst) if (wordMatches(c.words[0]!, n, l)) candidates.add(c);
    for (const c of candidates) {
      const len = c.words.length;
      if (i + len > normals.length) continue;
      let ok = true;
      for (let j = 1; j < len && ok; j++) ok = wordMatches(c.words[j]!, normals[i + j]!, lemmas[i + j]!);
      if (ok) out.push({ term: c, start: i, end: i + len });
    }
  }
  return out;
}

/** Groups occurrences per theme: longest match wins within a theme, negatives cancel overlaps. */
function matchesByTheme(occurrences: Occurrence[]): Map<number, ThemeMatches> {
  const per = new Map<number, { pos: Occurrence[]; neg: Occurrence[] }>();
  for (const o of occurrences) {
    let e = per.get(o.term.theme);
    if (!e) per.set(o.term.theme, (e = { pos: [], neg: [] }));
    (o.term.negative ? e.neg : e.pos).push(o);
  }
  const result = new Map<number, ThemeMatches>();
  for (const [theme, { pos, neg }] of per) {
    pos.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || b.term.weight - a.term.weight);
    const kept: Occurrence[] = [];
    let covered = 0;
    for (const o of pos) {
      if (o.start < covered) continue;
      kept.push(o);
      covered = o.end;
    }
    const overlaps = (a: Occurrence, b: Occurrence) => a.start < b.end && b.start < a.end;
    const m: ThemeMatches = { counts: new Map(), suppressed: new Set(), penalties: [], kept: [] };
    for (const o of kept) {
      if (neg.some((x) => overlaps(x, o))) m.suppressed.add(o.term.term);
      else {
        m.counts.set(o.term, (m.counts.get(o.term) ?? 0) + 1);
        m.kept.push(o);
      }
    }
    for (const x of neg) if (!kept.some((o) => overlaps(x, o))) m.penalties.push(x.term);
    result.set(theme, m);
  }
  return result;
}

function saturate(tf: number, k1: number, norm: number): number {
  return (tf * (k1 + 1)) / (tf + k1 * norm);
}

function judge(theme: CompiledTheme, tax: Taxonomy, m: ThemeMatches, norm: number): ThemeScore {
  const { k1, saturation } = tax.defaults;
  const hits: TermHit[] = [];
  let raw = 0;
  let maxWeight = 0;
  let distinct = 0;
  for (const [term, count] of m.counts) {
    const contribution = term.weight * saturate(count, k1, norm);
    hits.push({ term: term.term, count, weight: term.weight, contribution });
    raw += contribution;
    if (term.weight > 0) distinct++;
    maxWeight = Math.max(maxWeight, term.weight);
  }
  for (const p of m.penalties) raw -= p.weight;
  raw = Math.max(0, raw);
  hits.sort((a, b) => b.contribution - a.contribution || a.term.localeCompare(b.term));
  const score = raw / (raw + saturation);
  const enoughEvidence = distinct >= theme.minEvidence || maxWeight >= theme.strongWeight;
  const tagged = score >= theme.threshold && enoughEvidence && distinct > 0;
  let reason: string;
  if (tagged) reason = `score ${fmt(score)} >= threshold ${fmt(theme.threshold)}`;
  else if (distinct === 0) reason = 'only negative or suppressed terms';
  else if (!enoughEvidence)
    reason = `weak evidence: ${distinct} term(s) of weight < ${theme.strongWeight}, needs ${theme.minEvidence} distinct terms or one of weight >= ${theme.strongWeight}`;
  else reason = `score ${fmt(score)} < threshold ${fmt(theme.threshold)}`;
  return {
    id: theme.id,
    label: theme.label,
    score,
    raw,
    tagged,
    reason,
    hits,
    suppressed: [...m.suppressed],
    penalties: m.penalties.map((p) => p.term),
  };
}

function fmt(n: number): string {
  return n.toFixed(2);
}

function lengthNorm(tax: Taxonomy, words: number): number {
  const { b, avgLength } = tax.defaults;
  return 1 - b + (b * Math.max(1, words)) / avgLength;
}

interface SegmentResult {
  words: number;
  /** themes with at least one match or penalty, in taxonomy order */
  scores: ThemeScore[];
  matches: Map<number, ThemeMatches>;
}

function scoreWords(analysis: SegmentAnalysis | undefined, tax: Taxonomy): SegmentResult {
  const { normals, lemmas } = analysisWords(analysis);
  const matches = matchesByTheme(findOccurrences(tax, normals, lemmas));
  const norm = lengthNorm(tax, normals.length);
  const scores: ThemeScore[] = [];
  tax.compiled.themes.forEach((theme, ti) => {
    const m = matches.get(ti);
    if (!m) return;
    const s = judge(theme, tax, m, norm);
    if (s.tagged && listedInPassing(ti, matches, normals)) {
      s.tagged = false;
      s.reason = 'one term, listed next to the terms of two other themes ("poverty, education and climate action")';
    }
    scores.push(s);
  });
  const { relative } = tax.defaults;
  const top = Math.max(0, ...scores.filter((s) => s.tagged).map((s) => s.score));
  if (relative > 0)
    for (const s of scores)
      if (s.tagged && s.score < relative * top) {
        s.tagged = false;
        s.reason = `score ${fmt(s.score)} < ${relative} x ${fmt(top)}, the score of the segment's strongest theme`;
      }
  return { words: normals.length, scores, matches };
}

/** Words between two occurrences that make them items of one list: "poverty, quality education and climate action". */
const LIST_GAP = 3;

/**
 * The theme's only evidence in the segment is one occurrence of one term, with occurrences of
 * two other themes' terms within LIST_GAP words of it: an item of an enumeration of topics,
 * which names the theme without being about it.
 */
function listedInPassing(theme: number, matches: Map<number, ThemeMatches>, normals: string[]): boolean {
  const own = matches.get(theme)?.kept;
  if (!own || own.length !== 1) return false;
  const o = own[0]!;
  let others = 0;
  let from = o.start;
  let to = o.end;
  for (const [t, m] of matches) {
    if (t === theme) continue;
    const near = m.kept.filter((x) => x.start - o.end <= LIST_GAP && o.start - x.end <= LIST_GAP && (x.end <= o.start || x.start >= o.end));
    if (near.length === 0) continue;
    others++;
    for (const x of near) {
      from = Math.min(from, x.start);
      to = Math.max(to, x.end);
    }
  }
  // (the words carry no punctuation: the "and" tells a list from a sentence that ends nearby)
  return others >= 2 && normals.slice(from, to).some((w) => w === 'and' || w === 'or' || w === 'nor');
}

/** Scores of every theme that has any evidence in one segment (tagged or not). */
export function scoreSegment(analysis: SegmentAnalysis, taxonomy: Taxonomy): ThemeScore[] {
  return scoreWords(analysis, taxonomy).scores;
}

const round3 = (x: number) => Math.min(1, Math.max(0, Math.round(x * 1000) / 1000));

/** Document themes from per-segment results. */
function aggregate(segments: SegmentResult[], tax: Taxonomy): { themes: DocTheme[]; pooled: Map<string, ThemeScore> } {
  const totalWords = segments.reduce((s, r) => s + r.words, 0) || 1;
  const themes: DocTheme[] = [];
  const pooledScores = new Map<string, ThemeScore>();
  tax.compiled.themes.forEach((theme, ti) => {
    let best = 0;
    let taggedWords = 0;
    let anyTagged = false;
    let segmentsWithEvidence = 0;
    const pooled: ThemeMatches = { counts: new Map(), suppressed: new Set(), penalties: [], kept: [] };
    for (const seg of segments) {
      const s = seg.scores.find((x) => x.id === theme.id);
      if (!s) continue;
      best = Math.max(best, s.score);
      if (s.tagged) {
        anyTagged = true;
        taggedWords += seg.words;
      }
      const m = seg.matches.get(ti)!;
      if (m.counts.size > 0) segmentsWithEvidence++;
      for (const [term, n] of m.counts) pooled.counts.set(term, (pooled.counts.get(term) ?? 0) + n);
      for (const x of m.suppressed) pooled.suppressed.add(x);
      pooled.penalties.push(...m.penalties);
    }
    if (pooled.counts.size === 0) return;
    const agg = judge(theme, tax, pooled, 1);
    pooledScores.set(theme.id, agg);
    if (!anyTagged && !(agg.tagged && segmentsWithEvidence >= 2)) return;
    const score = 0.5 * best + 0.25 * (taggedWords / totalWords) + 0.25 * agg.score;
    themes.push({ id: theme.id, label: theme.label, score: round3(score), evidence: agg.hits.slice(0, 8).map((h) => h.term) });
  });
  themes.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return { themes, pooled: pooledScores };
}

/** False when the document is in a known language the taxonomy's terms are not written in. */
export function taxonomyApplies(language: string, taxonomy: Taxonomy): boolean {
  return taxonomy.languages.length === 0 || language === 'und' || taxonomy.languages.includes(language);
}

export function tagThemes(entitiesDoc: EntitiesDoc, taxonomy: Taxonomy): ThemedDoc {
  const { analysis, ...doc } = entitiesDoc;
  if (!taxonomyApplies(doc.language, taxonomy))
    return { ...doc, segments: doc.segments.map((s) => ({ ...s, themes: [] })), themes: [] };
  // (page furniture, contact blocks and salutations say nothing of what a document is about)
  const results = doc.segments.map((seg, i) => scoreWords(seg.kind === 'other' ? undefined : analysis[i], taxonomy));
  const segments = doc.segments.map((s, i) => ({
    ...s,
    themes: results[i]!.scores
      .filter((t) => t.tagged)
      .sort((a, b) => b.score - a.score)
      .map((t) => t.id),
  }));
  return { ...doc, segments, themes: aggregate(results, taxonomy).themes };
}

// ---------------------------------------------------------------- explain

export interface ExplainOptions {
  /** how to cut the text into segments: non-empty lines (default) or sentences */
  by?: 'line' | 'sentence';
}

function splitText(text: string, by: 'line' | 'sentence'): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (by === 'line') return lines;
  return lines.flatMap((l) => (readDoc(l).sentences().out(its.value) as string[]).map((s) => s.trim()).filter(Boolean));
}

function describe(s: ThemeScore, indent: string): string[] {
  const out = [`${indent}${s.tagged ? '+' : '-'} ${s.id.padEnd(24)} score ${fmt(s.score)}  raw ${s.raw.toFixed(2)}  ${s.tagged ? 'TAGGED' : 'not tagged'}: ${s.reason}`];
  for (const h of s.hits)
    out.push(`${indent}    ${JSON.stringify(h.term)} x${h.count}  weight ${h.weight}  +${h.contribution.toFixed(2)}`);
  for (const t of s.suppressed) out.push(`${indent}    ${JSON.stringify(t)} ignored: inside a negative term`);
  for (const t of s.penalties) out.push(`${indent}    negative ${JSON.stringify(t)} found: lowers the raw score`);
  return out;
}

/**
 * A human-readable report of which themes fire on `text` and why, segment by segment, then for
 * the whole text: for tuning a taxonomy (`textmill themes explain "<text>"`).
 */
export function explainThemes(text: string, taxonomy: Taxonomy, options: ExplainOptions = {}): string {
  const parts = splitText(text, options.by ?? 'line');
  const out: string[] = [`taxonomy: ${taxonomy.source} (${taxonomy.themes.length} themes)`];
  if (parts.length === 0) return [...out, 'no text to score'].join('\n');
  const results = parts.map((p) => scoreWords(analyseText(p), taxonomy));
  parts.forEach((p, i) => {
    const r = results[i]!;
    const tagged = r.scores.filter((s) => s.tagged).map((s) => s.id);
    const preview = p.length > 100 ? `${p.slice(0, 97)}...` : p;
    out.push('', `[${i + 1}] ${JSON.stringify(preview)}  (${r.words} words)`);
    out.push(`    themes: ${tagged.length ? tagged.join(', ') : '(none)'}`);
    if (r.scores.length === 0) out.push('    no taxonomy term found');
    for (const s of [...r.scores].sort((a, b) => b.score - a.score)) out.push(...describe(s, '    '));
  });
  const { themes, pooled } = aggregate(results, taxonomy);
  out.push('', 'document:');
  if (themes.length === 0) out.push('    (no theme)');
  for (const t of themes) out.push(`    ${t.id.padEnd(24)} score ${t.score.toFixed(3)}  evidence: ${t.evidence.join(', ')}`);
  const untagged = [...pooled.values()].filter((p) => !themes.some((t) => t.id === p.id));
  if (untagged.length) out.push(`    some evidence but not tagged: ${untagged.map((p) => `${p.id} (${p.hits.map((h) => h.term).join(', ')})`).join('; ')}`);
  return out.join('\n');
}
