// Odd spans inside a segment: a run of another script in mostly-Latin text (spam tokens
// such as "爆料公社" in an English paragraph, a pasted greeting in Chinese).

/** Runs long enough to count: two ideographs/kana/hangul, three letters of an alphabet. */
const FOREIGN_RUN = new RegExp(
  [
    '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]{2,}',
    '[\\p{Script=Cyrillic}\\p{M}]{3,}',
    '[\\p{Script=Greek}\\p{M}]{3,}',
    '[\\p{Script=Arabic}\\p{M}]{3,}',
    '[\\p{Script=Hebrew}\\p{M}]{3,}',
    '[\\p{Script=Devanagari}\\p{Script=Bengali}\\p{Script=Tamil}\\p{Script=Telugu}\\p{Script=Gujarati}\\p{Script=Gurmukhi}\\p{Script=Kannada}\\p{Script=Malayalam}\\p{M}]{3,}',
    '[\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}\\p{M}]{3,}',
    '[\\p{Script=Armenian}\\p{Script=Georgian}\\p{Script=Ethiopic}\\p{M}]{3,}',
  ].join('|'),
  'gu',
);
// (U+2000-U+2BFF: punctuation such as curly quotes and dashes, currency, arrows, maths.)
const BEYOND_LATIN = /[\u0300-\u1fff\u2c00-\uffff]/;
const LATIN_LETTER = /\p{Script=Latin}/gu;
const ANY_LETTER = /\p{L}/gu;

export interface ForeignSpan {
  start: number;
  end: number;
  text: string;
}

/**
 * Runs of a non-Latin script inside `text` when most of its letters (at least 20, more
 * than half) are Latin. Empty for text that is mainly in another script.
 */
export function foreignScriptSpans(text: string): ForeignSpan[] {
  // Below U+0300 (and among the symbols of U+2000-U+2BFF) every letter is Latin and there are
  // no combining marks: nothing to find. Most text is answered here, without the letter counts.
  if (!BEYOND_LATIN.test(text)) return [];
  const latin = text.match(LATIN_LETTER)?.length ?? 0;
  if (latin < 20) return [];
  const letters = text.match(ANY_LETTER)?.length ?? 0;
  if (latin * 2 <= letters) return [];
  const spans: ForeignSpan[] = [];
  FOREIGN_RUN.lastIndex = 0;
  for (let m = FOREIGN_RUN.exec(text); m; m = FOREIGN_RUN.exec(text)) {
    // A run of combining marks alone (after a Latin letter) is not another script.
    if (/^\p{M}+$/u.test(m[0])) continue;
    spans.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  }
  return spans;
}
