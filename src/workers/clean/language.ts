// Document language: franc-min (trigram profiles of ~80 languages with 8M+ speakers) for
// text long enough to trust, a small function-word vote for short text, 'und' when neither
// is sure. Output is ISO 639-1; franc's ISO 639-3 codes without a 639-1 code are excluded.
import { franc } from 'franc-min';

const ISO3_TO_1: Record<string, string> = {
  spa: 'es', eng: 'en', por: 'pt', ind: 'id', fra: 'fr', deu: 'de', jav: 'jv', vie: 'vi', ita: 'it',
  tur: 'tr', pol: 'pl', swh: 'sw', sun: 'su', ron: 'ro', hau: 'ha', fuv: 'ff', bos: 'bs', hrv: 'hr',
  nld: 'nl', srp: 'sr', ckb: 'ku', yor: 'yo', uzn: 'uz', zlm: 'ms', ibo: 'ig', tgl: 'tl', hun: 'hu',
  azj: 'az', ces: 'cs', run: 'rn', plt: 'mg', qug: 'qu', nya: 'ny', zyb: 'za', kin: 'rw', zul: 'zu',
  swe: 'sv', lin: 'ln', som: 'so', rus: 'ru', ukr: 'uk', bel: 'be', bul: 'bg', kaz: 'kk', arb: 'ar',
  urd: 'ur', pes: 'fa', pbu: 'ps', hin: 'hi', mar: 'mr', npi: 'ne', cmn: 'zh', ben: 'bn', jpn: 'ja',
  kor: 'ko', tel: 'te', tam: 'ta', guj: 'gu', kan: 'kn', mal: 'ml', mya: 'my', pan: 'pa', amh: 'am',
  tha: 'th', sin: 'si', ell: 'el',
};
const ONLY = Object.keys(ISO3_TO_1);

/** Frequent function words that are rare in the other listed languages. */
const STOPWORDS: Record<string, Set<string>> = {
  en: new Set('the and of to is are was were in that with for on this it be by from at as have has not we you they our will'.split(' ')),
  fr: new Set('le la les des et est une dans pour que qui sur pas du au avec nous vous sont ce cette il elle'.split(' ')),
  es: new Set('el la los las y es una en para que por con del se al su sus como pero más está son'.split(' ')),
  de: new Set('der die das und ist nicht ein eine mit für auf den dem des zu von sich auch wir sie ich'.split(' ')),
  pt: new Set('o os as e é um uma para que com não do da dos das em por se mais ao são'.split(' ')),
  it: new Set('il lo gli le e è una per che con non del della dei sono come anche più nel alla'.split(' ')),
  nl: new Set('de het een en van is dat niet op te zijn met voor ook aan er maar om ze wij'.split(' ')),
};

/** Fewer letters than this: 'und'. */
const MIN_LETTERS = 12;
/** From this many letters on franc decides; below, the function-word vote. */
const FRANC_MIN_LETTERS = 120;
/** At most this much text is looked at (franc itself reads 2048 characters). */
const SAMPLE_CHARS = 6000;

interface Vote {
  lang: string;
  best: number;
  second: number;
  words: number;
}

function countVotes(words: string[]): Vote {
  let best = 'und';
  let bestHits = 0;
  let second = 0;
  for (const [lang, set] of Object.entries(STOPWORDS)) {
    let hits = 0;
    for (const w of words) if (set.has(w)) hits++;
    if (hits > bestHits) {
      second = bestHits;
      bestHits = hits;
      best = lang;
    } else if (hits > second) {
      second = hits;
    }
  }
  return { lang: best, best: bestHits, second, words: words.length };
}

function stopwordVote(v: Vote): string {
  if (v.words < 3) return 'und';
  // Need at least two function words, a clear lead, and a plausible share of the words.
  if (v.best >= 2 && v.best > v.second && v.best / v.words >= 0.15) return v.lang;
  return 'und';
}

/**
 * A vote so clear that franc could only agree: many function words of one language, a large
 * share of all words, and far ahead of the runner-up. franc's trigram scoring is the costliest
 * step of the clean stage, and most documents are settled here.
 */
function decisive(v: Vote): boolean {
  return v.best >= 12 && v.best / v.words >= 0.2 && v.best >= 4 * v.second;
}

const URLISH = /^(?:https?:|www\.)/i;
const LATIN = /\p{Script=Latin}/u;
const LETTER = /\p{L}/u;

/**
 * ISO 639-1 code of `sample` (a selection of the document's prose), or 'und' when it is too
 * short or unclear.
 */
export function detectLanguage(sample: string): string {
  const text = sample.length > SAMPLE_CHARS ? sample.slice(0, SAMPLE_CHARS) : sample;
  // URLs and e-mail addresses say nothing about the language.
  const cleaned = text.replace(/\S+/g, (t) => (URLISH.test(t) || t.includes('@') ? ' ' : t));
  let letters = 0;
  let latin = 0;
  for (const ch of cleaned) {
    // ASCII letters are by far the most common: skip the Unicode property tests for them.
    const c = ch.charCodeAt(0);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      letters++;
      latin++;
    } else if (c > 127 && LETTER.test(ch)) {
      letters++;
      if (LATIN.test(ch)) latin++;
    }
  }
  if (letters < MIN_LETTERS) return 'und';
  const isLatin = latin * 2 > letters;
  const vote = isLatin ? countVotes(cleaned.toLowerCase().match(/\p{L}+/gu) ?? []) : null;
  // Short Latin-script text: function words. Other scripts narrow the choice enough for franc.
  if (vote && (letters < FRANC_MIN_LETTERS || decisive(vote))) return stopwordVote(vote);
  const code = franc(cleaned.slice(0, 2048), { only: ONLY, minLength: MIN_LETTERS });
  const iso1 = ISO3_TO_1[code];
  if (!iso1) return 'und';
  // For Latin-script languages whose trigram profiles are close, trust the function words
  // when they clearly disagree.
  const voted = vote ? stopwordVote(vote) : 'und';
  if (voted !== 'und' && voted !== iso1 && !(iso1 in STOPWORDS)) return voted;
  return iso1;
}
