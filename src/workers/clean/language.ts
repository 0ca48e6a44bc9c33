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

function stopwordVote(text: string): string {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 3) return 'und';
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
  // Need at least two function words, a clear lead, and a plausible share of the words.
  if (bestHits >= 2 && bestHits > second && bestHits / words.length >= 0.15) return best;
  return 'und';
}

/**
 * ISO 639-1 code of `sample` (a selection of the document's prose), or 'und' when it is too
 * short or unclear.
 */
export function detectLanguage(sample: string): string {
  const text = sample.length > SAMPLE_CHARS ? sample.slice(0, SAMPLE_CHARS) : sample;
  // URLs and e-mail addresses say nothing about the language.
  const cleaned = text.replace(/\S+/g, (t) => (/^(?:https?:|www\.)/i.test(t) || t.includes('@') ? ' ' : t));
  const letters = (cleaned.match(/\p{L}/gu) ?? []).length;
  if (letters < MIN_LETTERS) return 'und';
  const latin = (cleaned.match(/\p{Script=Latin}/gu) ?? []).length;
  // Short Latin-script text: function words. Other scripts narrow the choice enough for franc.
  if (letters < FRANC_MIN_LETTERS && latin * 2 > letters) return stopwordVote(cleaned);
  const code = franc(cleaned.slice(0, 2048), { only: ONLY, minLength: MIN_LETTERS });
  const iso1 = ISO3_TO_1[code];
  if (!iso1) return 'und';
  // For Latin-script languages whose trigram profiles are close, trust the function words
  // when they clearly disagree.
  const vote = stopwordVote(cleaned);
  if (vote !== 'und' && vote !== iso1 && !(iso1 in STOPWORDS)) return vote;
  return iso1;
}
