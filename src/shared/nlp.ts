// wink-nlp is loaded once per process: the model takes a while to load and is read-only,
// so every stage shares this instance.
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { SegmentAnalysis } from './schemas.js';

/**
 * Only the steps the stages read: sentence boundaries, parts of speech (lemmas come from them)
 * and wink's named entities (dates, money, ...). The default pipe also scores negation and
 * sentiment, which nothing here uses: leaving them out makes every readDoc ~13% cheaper
 * (measured on 1,500 synthetic documents).
 */
export const nlp = winkNLP(model, ['sbd', 'pos', 'ner']);
export const its = nlp.its;
export const as = nlp.as;

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
  const doc = nlp.readDoc(text);
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
    tokens.push({ value, normal: normals[i]!, lemma: lemmas[i]!, pos: pos[i]!, type: types[i]!, start: offset, end: offset + value.length });
    offset += value.length;
  }
  return tokens;
}
