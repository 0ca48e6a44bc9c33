// wink-nlp is loaded once per process and shared by every stage (the model takes a while to
// load), and replaced by a fresh instance once it has learnt too many new words (see readDoc).
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { SegmentAnalysis } from './schemas.js';

/**
 * Only the steps the stages read: sentence boundaries, parts of speech (lemmas come from them)
 * and wink's named entities (dates, money, ...). The default pipe also scores negation and
 * sentiment, which nothing here uses: leaving them out makes every readDoc ~13% cheaper
 * (measured on 1,500 synthetic documents).
 */
const PIPE = ['sbd', 'pos', 'ner'];
let nlp = winkNLP(model, PIPE);
export const its = nlp.its;
export const as = nlp.as;

type WinkDoc = ReturnType<typeof nlp.readDoc>;

/** The id wink-nlp gives a word it has not seen: the size of its lexicon, learnt words included. */
let probes = 0;
function lexiconSize(): number {
  const probe = `qzxjvkwq${(probes++).toString(36)}`;
  return (nlp.readDoc(probe).tokens().out(its.uniqueId as never) as unknown as number[])[0]!;
}

/** Words in wink-nlp's own lexicon: a word whose id is below this is not one it learnt from a text. */
export const INTRINSIC_LEXICON = lexiconSize();

/**
 * wink-nlp adds every word it has not seen to its lexicon and never lets go of it: about 11 MB
 * per 100,000 new words (measured), so a worker that runs for weeks on names, numbers and typos
 * would grow without end. Every `checkEvery` reads the lexicon is measured, and past `maxLearnt`
 * learnt words the instance is replaced by a fresh one (~180 ms; documents being read keep
 * theirs). The analysis does not depend on what the lexicon has learnt, so output is the same.
 */
const recycling = { maxLearnt: 200_000, checkEvery: 1000, reads: 0, instances: 1 };

/** Changes when wink-nlp is replaced (the tests use small values); returns the previous ones. */
export function recycleNlpAfter(maxLearnt: number, checkEvery: number): { maxLearnt: number; checkEvery: number } {
  const before = { maxLearnt: recycling.maxLearnt, checkEvery: recycling.checkEvery };
  Object.assign(recycling, { maxLearnt, checkEvery, reads: 0 });
  return before;
}

/** How many wink-nlp instances this process has made, and how many words the current one has learnt. */
export function nlpStats(): { instances: number; learnt: number } {
  return { instances: recycling.instances, learnt: lexiconSize() - INTRINSIC_LEXICON };
}

/** wink-nlp's readDoc; every stage reads text through this (never through an instance of its own). */
export function readDoc(text: string): WinkDoc {
  if (++recycling.reads >= recycling.checkEvery) {
    recycling.reads = 0;
    if (lexiconSize() - INTRINSIC_LEXICON > recycling.maxLearnt) {
      nlp = winkNLP(model, PIPE);
      recycling.instances++;
    }
  }
  return nlp.readDoc(text);
}

/** Longest run of non-space characters wink-nlp reads (see parseView); a URL may be longer. */
export const MAX_RUN = 100;
const MAX_URL = 500;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}`, 'g');
const URL_START = /^[("'<\[]?(?:https?:\/\/|www\.)/i;

function maskRun(run: string): string {
  if (run.length <= MAX_URL && URL_START.test(run)) return run;
  // Blank, with a line break every 1,000 characters: the first one keeps the names on either
  // side apart, and wink-nlp keeps at most 65,534 spaces before a token (a longer gap would
  // shift every offset after it).
  return MASK.repeat(Math.ceil(run.length / MASK.length)).slice(0, run.length);
}
const MASK = '\n' + ' '.repeat(999);

/**
 * The text as wink-nlp should read it: the same length (so every offset still points into the
 * original), with each run of more than MAX_RUN non-space characters (an inline base64 image, a
 * hex dump, a long hash), other than a URL of up to 500, turned into blank space. No name or
 * number lives in such a run, and wink-nlp's tokeniser and abbreviation test take time in the
 * square of a token's length: 100,000 characters of base64 took 50 s in the entity stage, and
 * blocked every other job of the process meanwhile (their locks expired).
 */
export function parseView(text: string): string {
  LONG_RUN.lastIndex = 0;
  return LONG_RUN.test(text) ? text.replace(LONG_RUN, maskRun) : text;
}

export interface Token {
  value: string;
  normal: string;
  lemma: string;
  pos: string;
  type: string;
  /** UTF-16 offsets into the text that was read */
  start: number;
  end: number;
}

/**
 * wink-nlp's lemma of each token, or its normal form where wink-nlp has none: a contraction it
 * does not expand ("cannot" right before punctuation, as in `"We cannot," she said`) comes out
 * as one token whose lemma is undefined.
 */
export function lemmasOrNormals(lemmas: ReadonlyArray<string | undefined>, normals: readonly string[]): string[] {
  return lemmas.map((l, i) => l ?? normals[i] ?? '');
}

/**
 * A segment's word analysis from the lower-cased normal and lemma of each word token, in the
 * form SegmentAnalysis describes: a lemma equal to its normal is left empty (the entity stage
 * and the theme stage's own parse both build it here, so the two cannot drift apart).
 */
export function packAnalysis(normals: readonly string[], lemmas: readonly string[]): SegmentAnalysis {
  return { normals: normals.join(' '), lemmas: lemmas.map((l, i) => (l === normals[i] ? '' : l)).join(' ') };
}

/**
 * Reads `text` once and returns its tokens with offsets. wink-nlp keeps every character
 * as either a token's value or its preceding spaces, so offsets are their running sum.
 */
export function tokenize(text: string): Token[] {
  const doc = readDoc(parseView(text));
  const t = doc.tokens();
  // wink-nlp's typings do not accept every `its` helper in `out`, hence the cast.
  const out = (f: unknown) => t.out(f as never) as unknown as string[];
  const values = out(its.value);
  const spaces = out(its.precedingSpaces);
  const normals = out(its.normal);
  const lemmas = lemmasOrNormals(out(its.lemma), normals);
  const pos = out(its.pos);
  const types = out(its.type);
  const tokens: Token[] = [];
  let offset = 0;
  for (let i = 0; i < values.length; i++) {
    offset += spaces[i]!.length;
    const value = values[i]!;
    // the line breaks that blank a long run (parseView) are no tokens of the text
    if (text.startsWith(value, offset)) tokens.push({ value, normal: normals[i]!, lemma: lemmas[i]!, pos: pos[i]!, type: types[i]!, start: offset, end: offset + value.length });
    offset += value.length;
  }
  return tokens;
}
