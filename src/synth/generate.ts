// Synthetic corpus for the near-duplicate detection: documents of varied, real-looking text
// (sentences built from templates and word lists across a dozen topics) with near-duplicate
// messages planted at known edit rates, plus the ground truth. Deterministic for a given seed;
// the benchmark reuses it.
import { createHash } from 'node:crypto';
import type { CleanDoc, SegmentKind } from '../shared/schemas.js';

// ------------------------------------------------------------------ random numbers

/** mulberry32: small, fast, deterministic PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

// ------------------------------------------------------------------ word lists

interface Topic {
  nouns: string[];
  adjs: string[];
  verbs: string[]; // past tense, transitive
  gerunds: string[];
  events: string[];
}

const TOPICS: Record<string, Topic> = {
  health: {
    nouns: ['vaccine', 'clinic', 'hospital', 'nurse', 'outbreak', 'pandemic', 'treatment', 'patient', 'health worker', 'immunization campaign', 'medical supply', 'infection rate', 'maternal care', 'mental health service'],
    adjs: ['rural', 'public', 'mobile', 'preventive', 'emergency', 'affordable', 'primary', 'overstretched'],
    verbs: ['distributed', 'funded', 'expanded', 'reopened', 'inspected', 'upgraded', 'staffed', 'monitored'],
    gerunds: ['waiting outside a clinic', 'receiving a vaccine', 'carrying medical supplies', 'checking a patient'],
    events: ['World Health Assembly', 'immunization week', 'regional health summit'],
  },
  climate: {
    nouns: ['emission', 'drought', 'flood', 'heatwave', 'coastline', 'forest', 'solar farm', 'wind turbine', 'carbon market', 'sea wall', 'glacier', 'wetland', 'adaptation fund', 'early warning system'],
    adjs: ['coastal', 'renewable', 'low-carbon', 'fragile', 'degraded', 'resilient', 'arid', 'protected'],
    verbs: ['restored', 'mapped', 'protected', 'installed', 'financed', 'measured', 'replanted', 'reinforced'],
    gerunds: ['planting mangroves', 'clearing flood debris', 'installing solar panels', 'measuring river levels'],
    events: ['climate conference', 'adaptation forum', 'coastal resilience dialogue'],
  },
  economy: {
    nouns: ['budget', 'loan', 'market', 'small business', 'tariff', 'debt relief', 'inflation', 'export', 'credit line', 'supply chain', 'remittance', 'investment plan', 'minimum wage', 'pension fund'],
    adjs: ['fiscal', 'informal', 'regional', 'sustainable', 'inclusive', 'volatile', 'long-term', 'concessional'],
    verbs: ['approved', 'restructured', 'announced', 'reviewed', 'guaranteed', 'expanded', 'cut', 'renegotiated'],
    gerunds: ['selling vegetables at a market', 'repairing a fishing boat', 'counting coins at a stall', 'loading a truck'],
    events: ['donor conference', 'investment forum', 'budget hearing'],
  },
  technology: {
    nouns: ['broadband network', 'data centre', 'mobile app', 'cyber attack', 'digital identity', 'algorithm', 'satellite link', 'open data portal', 'coding school', 'software update', 'privacy rule', 'online platform', 'artificial intelligence', 'fibre cable'],
    adjs: ['digital', 'secure', 'open-source', 'automated', 'connected', 'experimental', 'national', 'encrypted'],
    verbs: ['launched', 'tested', 'hacked', 'regulated', 'deployed', 'patched', 'audited', 'connected'],
    gerunds: ['learning to code', 'testing a drone', 'repairing a laptop', 'setting up an antenna'],
    events: ['digital cooperation forum', 'internet governance meeting', 'technology fair'],
  },
  education: {
    nouns: ['school', 'teacher', 'classroom', 'scholarship', 'curriculum', 'textbook', 'university', 'literacy programme', 'exam', 'school meal', 'girls education', 'vocational course', 'library', 'enrolment rate'],
    adjs: ['primary', 'secondary', 'bilingual', 'free', 'remote', 'technical', 'crowded', 'newly built'],
    verbs: ['built', 'trained', 'reopened', 'evaluated', 'equipped', 'translated', 'funded', 'certified'],
    gerunds: ['reading in a library', 'raising their hands', 'walking to school', 'sitting an exam'],
    events: ['education summit', 'teachers day', 'graduation ceremony'],
  },
  migration: {
    nouns: ['refugee', 'border crossing', 'asylum claim', 'reception centre', 'migrant worker', 'resettlement quota', 'displacement camp', 'humanitarian corridor', 'work permit', 'family reunification', 'shelter', 'registration desk', 'return programme', 'host community'],
    adjs: ['displaced', 'stranded', 'temporary', 'overcrowded', 'irregular', 'voluntary', 'unaccompanied', 'safe'],
    verbs: ['registered', 'relocated', 'sheltered', 'processed', 'resettled', 'welcomed', 'assisted', 'screened'],
    gerunds: ['queuing at a registration desk', 'unloading relief supplies', 'crossing a river', 'waiting for a bus'],
    events: ['migration dialogue', 'refugee forum', 'pledging conference'],
  },
  peace: {
    nouns: ['ceasefire', 'peace talks', 'peacekeeper', 'armed group', 'mediation effort', 'landmine', 'truce', 'disarmament plan', 'security council', 'border dispute', 'observer mission', 'prisoner exchange', 'peace agreement', 'weapons stockpile'],
    adjs: ['fragile', 'lasting', 'negotiated', 'nationwide', 'unilateral', 'inclusive', 'tense', 'disputed'],
    verbs: ['brokered', 'violated', 'extended', 'monitored', 'signed', 'rejected', 'endorsed', 'suspended'],
    gerunds: ['patrolling a village', 'clearing landmines', 'shaking hands after the talks', 'guarding a checkpoint'],
    events: ['peace conference', 'security council debate', 'mediation round'],
  },
  culture: {
    nouns: ['festival', 'museum', 'heritage site', 'film', 'orchestra', 'manuscript', 'craft fair', 'language', 'theatre', 'exhibition', 'folk song', 'archive', 'sculpture', 'temple'],
    adjs: ['ancient', 'indigenous', 'restored', 'contemporary', 'endangered', 'popular', 'traditional', 'open-air'],
    verbs: ['restored', 'digitized', 'celebrated', 'curated', 'rediscovered', 'performed', 'catalogued', 'reopened'],
    gerunds: ['dancing at a festival', 'weaving a basket', 'painting a mural', 'playing drums'],
    events: ['heritage week', 'film festival', 'book fair'],
  },
  agriculture: {
    nouns: ['harvest', 'irrigation canal', 'seed bank', 'cooperative', 'livestock', 'fertilizer', 'food price', 'grain silo', 'smallholder farmer', 'locust swarm', 'crop insurance', 'fishery', 'orchard', 'soil survey'],
    adjs: ['organic', 'drought-resistant', 'seasonal', 'local', 'staple', 'family-run', 'mechanized', 'irrigated'],
    verbs: ['harvested', 'irrigated', 'vaccinated', 'stored', 'subsidized', 'planted', 'surveyed', 'exported'],
    gerunds: ['harvesting rice', 'feeding goats', 'repairing an irrigation pump', 'drying coffee beans'],
    events: ['harvest festival', 'food systems summit', 'farmers fair'],
  },
  transport: {
    nouns: ['railway line', 'bus route', 'bridge', 'port', 'airport', 'road safety law', 'cycle lane', 'ferry', 'electric bus', 'highway', 'train station', 'freight corridor', 'traffic light', 'metro extension'],
    adjs: ['electric', 'cross-border', 'urban', 'delayed', 'high-speed', 'toll-free', 'congested', 'accessible'],
    verbs: ['opened', 'repaired', 'electrified', 'closed', 'widened', 'inaugurated', 'rerouted', 'inspected'],
    gerunds: ['boarding a ferry', 'cycling to work', 'repairing a bridge', 'waiting at a station'],
    events: ['transport ministers meeting', 'road safety week', 'infrastructure forum'],
  },
  science: {
    nouns: ['telescope', 'research team', 'laboratory', 'clinical trial', 'genome study', 'ocean survey', 'weather station', 'space probe', 'fossil', 'particle detector', 'peer review', 'field station', 'research grant', 'data set'],
    adjs: ['international', 'peer-reviewed', 'polar', 'deep-sea', 'preliminary', 'long-running', 'independent', 'open'],
    verbs: ['published', 'discovered', 'calibrated', 'sequenced', 'launched', 'replicated', 'sampled', 'presented'],
    gerunds: ['taking water samples', 'looking through a microscope', 'launching a weather balloon', 'tagging a turtle'],
    events: ['science week', 'research symposium', 'space conference'],
  },
  rights: {
    nouns: ['human rights', 'free press', 'court ruling', 'hate speech', 'equal pay', 'disability rights', 'fair trial', 'detention centre', 'ombudsman', 'civil society', 'voting rights', 'child protection', 'labour inspector', 'women mediators'],
    adjs: ['independent', 'arbitrary', 'landmark', 'universal', 'discriminatory', 'peaceful', 'gender-sensitive', 'legal'],
    verbs: ['defended', 'condemned', 'documented', 'upheld', 'investigated', 'overturned', 'guaranteed', 'reported'],
    gerunds: ['marching peacefully', 'holding placards', 'registering to vote', 'speaking at a hearing'],
    events: ['human rights council session', 'press freedom day', 'equality summit'],
  },
};
const TOPIC_NAMES = Object.keys(TOPICS);

const ACTORS = [
  'the minister of finance', 'the city council', 'local authorities', 'the regional governor', 'a coalition of NGOs', 'the national statistics office',
  'the World Bank', 'the European Commission', 'the African Union', 'the prime minister', 'the mayor', 'a group of volunteers', 'the ombudsman',
  'Maria Lopez', 'Kwame Mensah', 'Aiko Tanaka', 'Rahul Iyer', 'Fatima Al-Sayed', 'Jonas Berg', 'Ana Sousa', 'Li Wei', 'Olga Petrova', 'Samuel Okoro',
  'the Secretary-General', 'the special envoy', 'the health ministry', 'the central bank', 'the parliament', 'the supreme court', 'a panel of experts',
];
const PLACES = [
  'Nairobi', 'Lima', 'Dhaka', 'Geneva', 'Manila', 'Accra', 'Oslo', 'Quito', 'Hanoi', 'Tunis', 'Kigali', 'Lisbon', 'Bogota', 'Jakarta', 'Amman', 'Dakar',
  'Tbilisi', 'Montevideo', 'Ulaanbaatar', 'Suva', 'Kathmandu', 'Windhoek', 'Cairo', 'Beirut', 'Almaty', 'Colombo', 'La Paz', 'Maputo', 'Yerevan', 'Apia',
  'the northern provinces', 'the coastal region', 'the capital', 'three border districts', 'the highlands', 'the river delta',
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const PERIODS = ['year', 'quarter', 'month', 'season', 'decade'];
const QUOTE_HEADS = ['"We cannot wait any longer," said', '"This is only the beginning," said', '"The results speak for themselves," according to', '"Nobody should be left behind," said'];
const FILLERS = ['also', 'now', 'indeed', 'still', 'further', 'clearly', 'again', 'already', 'finally', 'recently', 'very', 'largely'];
const SYNONYMS: Record<string, string[]> = {
  said: ['stated', 'noted', 'declared'], announced: ['unveiled', 'revealed'], helped: ['supported', 'assisted'], new: ['fresh', 'novel'],
  more: ['additional', 'extra'], people: ['residents', 'citizens'], many: ['numerous', 'several'], important: ['crucial', 'vital'],
  large: ['big', 'major'], began: ['started', 'commenced'], plan: ['programme', 'strategy'], across: ['throughout'], after: ['following'],
  about: ['around', 'roughly'], than: ['than'], their: ['its'], expected: ['projected', 'forecast'], increase: ['rise', 'growth'],
};

const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

interface DateParts {
  d: number;
  m: number;
  y: number;
}

/** The same date written in one of several formats. */
export function formatDate(dt: DateParts, style: number): string {
  const mm = String(dt.m + 1).padStart(2, '0');
  const dd = String(dt.d).padStart(2, '0');
  switch (style % 6) {
    case 0: return `${dt.d} ${MONTHS[dt.m]} ${dt.y}`;
    case 1: return `${MONTHS[dt.m]} ${dt.d}, ${dt.y}`;
    case 2: return `${MONTHS[dt.m]} ${ordinal(dt.d)}, ${dt.y}`;
    case 3: return `${dd}/${mm}/${dt.y}`;
    case 4: return `${dt.y}-${mm}-${dd}`;
    default: return `${dt.d} ${MONTHS[dt.m]!.slice(0, 3)}. ${dt.y}`;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const art = (w: string) => (/^[aeiou]/i.test(w) ? 'an' : 'a');
const plural = (n: string) => (/(s|sh|ch|x)$/.test(n) ? `${n}es` : /[^aeiou]y$/.test(n) ? `${n.slice(0, -1)}ies` : `${n}s`);

function number(r: Rand): string {
  const n = pick(r, [int(r, 2, 99), int(r, 100, 999), int(r, 1000, 99999)]);
  return n >= 1000 ? n.toLocaleString('en-US') : String(n);
}

/** Token {DATE} marks where a date is written, so a variant can change its format. */
function sentence(r: Rand, t: Topic): string {
  const a = pick(r, ACTORS), p = pick(r, PLACES), n = pick(r, t.nouns), n2 = pick(r, t.nouns), adj = pick(r, t.adjs), v = pick(r, t.verbs);
  const templates = [
    () => `${cap(a)} ${v} ${art(adj)} ${adj} ${n} in ${p} on {DATE}.`,
    () => `According to ${a}, ${number(r)} ${plural(n)} were ${v} across ${p} last ${pick(r, PERIODS)}.`,
    () => `In ${p}, ${a} ${v} the ${adj} ${n}, which had been delayed since {DATE}.`,
    () => `The ${adj} ${n} in ${p} costs about ${number(r)} dollars a ${pick(r, PERIODS)}, ${a} said.`,
    () => `${cap(a)} warned that the ${n} would not be ${v} before the ${pick(r, t.events)} unless funding arrived.`,
    () => `Since {DATE}, more than ${number(r)} people in ${p} have benefited from the ${adj} ${n}.`,
    () => `${pick(r, QUOTE_HEADS)} ${a}, speaking at the ${pick(r, t.events)} in ${p}.`,
    () => `Critics argue that the ${n} has ${v} little, while supporters point to the ${adj} ${n2} in ${p}.`,
    () => `The ${pick(r, t.events)}, held in ${p} on {DATE}, ${v} a plan for ${art(adj)} ${adj} ${n2}.`,
    () => `Officials in ${p} expect the ${n} to grow by ${int(r, 2, 40)} percent over the next ${pick(r, PERIODS)}.`,
    () => `Together with ${pick(r, ACTORS)}, ${a} ${v} ${int(r, 2, 60)} ${plural(n2)} and ${art(adj)} ${adj} ${n} near ${p}.`,
    () => `A report published on {DATE} found that ${plural(n)} in ${p} remain ${adj} and underfunded.`,
    () => `${cap(a)} visited ${p} to review the ${n}, the first such visit since {DATE}.`,
    () => `When the ${n2} failed, ${a} ${v} the ${adj} ${n} within ${int(r, 2, 30)} days.`,
  ];
  let out = pick(r, templates)();
  // optional framing, so that two sentences from one template rarely read alike
  if (r() < 0.35) out = `${pick(r, OPENERS)} ${out.charAt(0).toLowerCase()}${out.slice(1)}`;
  if (r() < 0.35) out = out.replace(/\.$/, `, ${pick(r, CLOSERS)}.`);
  return out;
}

const OPENERS = ['Earlier this week,', 'Meanwhile,', 'By contrast,', 'In a statement,', 'For the first time,', 'As expected,', 'Despite the rain,', 'Last night,', 'In recent months,', 'After long delays,', 'On the sidelines,', 'Without much notice,'];
const CLOSERS = ['officials confirmed', 'a spokesperson added', 'according to local media', 'despite strong opposition', 'in a rare show of unity', 'after weeks of debate', 'as residents watched', 'the newspaper reported', 'with support from donors', 'amid growing concern'];

interface Message {
  kind: SegmentKind;
  /** text with {DATE} placeholders */
  template: string;
  dates: DateParts[];
}

function randomDate(r: Rand): DateParts {
  return { d: int(r, 1, 28), m: int(r, 0, 11), y: int(r, 2015, 2024) };
}

function freshMessage(r: Rand, paragraphOnly = false): Message {
  const t = TOPICS[pick(r, TOPIC_NAMES)]!;
  const roll = paragraphOnly ? 1 : r();
  if (roll < 0.15) {
    // caption: a short description of a picture
    const who = `${pick(r, ['a', 'two', 'three', 'a group of', 'young', 'elderly', 'local', 'several'])} ${pick(r, ['women', 'men', 'children', 'volunteers', 'workers', 'students', 'farmers', 'officials', 'nurses', 'engineers'])}`;
    const tail = pick(r, ['', '', ` during the ${pick(r, t.events)}`, ` after the ${pick(r, t.nouns)}`, ` on {DATE}`, ` near the ${pick(r, t.adjs)} ${pick(r, t.nouns)}`]);
    const text = `${cap(who)} ${pick(r, t.gerunds)} in ${pick(r, PLACES)}${tail}`;
    const template = r() < 0.5 ? text : `${text}.`;
    return { kind: 'caption', template, dates: template.includes('{DATE}') ? [randomDate(r)] : [] };
  }
  if (roll < 0.22) {
    const text = pick(r, [
      () => `${cap(pick(r, t.adjs))} ${pick(r, t.nouns)} ${pick(r, ['in', 'for', 'across', 'beyond', 'near'])} ${pick(r, PLACES)}`,
      () => `${pick(r, PLACES)}: ${pick(r, ACTORS)} ${pick(r, t.verbs)} ${pick(r, t.adjs)} ${plural(pick(r, t.nouns))}`,
      () => `${cap(pick(r, t.verbs))} ${pick(r, t.nouns)} ${pick(r, ['marks', 'opens', 'ends', 'tests'])} ${pick(r, t.events)}`,
    ])();
    return { kind: 'heading', template: text, dates: [] };
  }
  const n = int(r, 3, 7);
  const sentences: string[] = [];
  for (let i = 0; i < n; i++) sentences.push(sentence(r, r() < 0.8 ? t : TOPICS[pick(r, TOPIC_NAMES)]!));
  const template = sentences.join(' ');
  const dates = (template.match(/\{DATE\}/g) ?? []).map(() => randomDate(r));
  return { kind: 'paragraph', template, dates };
}

function render(m: Message, r: Rand, dateStyle?: number): string {
  let i = 0;
  return m.template.replace(/\{DATE\}/g, () => formatDate(m.dates[i++]!, dateStyle ?? int(r, 0, 5)));
}

// ------------------------------------------------------------------ edits

/**
 * A variant of `text` with about `rate` of its words edited (substituted, inserted or deleted),
 * and, with a probability growing with the rate, two clauses or sentences swapped and
 * punctuation changed. Date format changes are made by the caller when rendering.
 */
export function editText(text: string, rate: number, r: Rand): string {
  if (rate <= 0) return text;
  let words = text.split(' ');
  const edits = Math.max(1, Math.round(rate * words.length));
  for (let e = 0; e < edits; e++) {
    const op = r();
    const i = int(r, 0, words.length - 1);
    const w = words[i]!;
    const bare = w.replace(/[^\p{L}\p{N}'-]/gu, '');
    const trail = w.slice(w.indexOf(bare) + bare.length);
    if (op < 0.5) {
      const syn = SYNONYMS[bare.toLowerCase()];
      const t = TOPICS[pick(r, TOPIC_NAMES)]!;
      const repl = syn ? pick(r, syn) : pick(r, [...t.adjs, ...t.verbs, pick(r, PLACES).split(' ')[0]!]);
      words[i] = repl + trail;
    } else if (op < 0.75) {
      words.splice(i, 0, pick(r, FILLERS));
    } else if (words.length > 3) {
      words.splice(i, 1);
      if (trail && i > 0) words[i - 1] = words[i - 1]!.replace(/[^\p{L}\p{N}]*$/u, '') + trail;
    }
  }
  let out = words.join(' ');
  if (r() < rate * 2) {
    // reorder: swap two sentences, or the two halves around a comma
    const sentences = out.match(/[^.!?]+[.!?]+(\s|$)/g);
    if (sentences && sentences.length >= 2) {
      const a = int(r, 0, sentences.length - 2);
      [sentences[a], sentences[a + 1]] = [sentences[a + 1]!, sentences[a]!];
      out = sentences.map((s) => s.trim()).join(' ');
    } else if (out.includes(', ')) {
      const k = out.indexOf(', ');
      out = cap(out.slice(k + 2).replace(/[.!?]$/, '')) + ', ' + out.slice(0, k).charAt(0).toLowerCase() + out.slice(1, k) + '.';
    }
  }
  if (r() < 0.5) {
    // punctuation: quotes, dashes, commas, final stop
    const style = int(r, 0, 3);
    if (style === 0) out = out.replace(/"([^"]*)"/g, '\u201C$1\u201D');
    else if (style === 1) out = out.replace(/, /g, ' ');
    else if (style === 2) out = out.replace(/, which /g, ' \u2013 which ').replace(/\.$/, '');
    else out = out.replace(/\.$/, '!');
  }
  return out;
}

// ------------------------------------------------------------------ corpus

/**
 * Whether a fresh message would accidentally be a near-duplicate of an earlier fresh one (the
 * short captions and headings come from finite word lists): true when it is identical, or
 * has a word set within two removed words of an earlier one (deletion neighbourhood). Records the message otherwise.
 */
function nearSeen(text: string, seen: Set<number>): boolean {
  const words = text.toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').split(/\s+/).filter(Boolean);
  const sorted = [...new Set(words)].sort();
  const keys = [hashKey(words.join(' '))];
  if (sorted.length <= 16) {
    // the word set with up to two words removed, all in one key space: two messages whose word
    // sets differ by at most two words on each side share a key
    keys.push(hashKey(sorted.join(' ')));
    for (let i = 0; i < sorted.length; i++) {
      keys.push(hashKey(sorted.filter((_, j) => j !== i).join(' ')));
      for (let k = i + 1; k < sorted.length; k++) keys.push(hashKey(sorted.filter((_, j) => j !== i && j !== k).join(' ')));
    }
  }
  if (keys.some((k) => seen.has(k))) return true;
  for (const k of keys) seen.add(k);
  return false;
}

function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface SynthOptions {
  docs: number;
  seed?: number;
  /** probability that a segment reuses an earlier message (verbatim or edited) */
  dupRate?: number;
  /** edit rates of reused messages, drawn uniformly */
  rates?: number[];
  /** at most this many reuses of one source message */
  maxReuse?: number;
  /** whether captions and headings are generated besides paragraphs (default true) */
  shortMessages?: boolean;
  /** document size in bytes */
  minBytes?: number;
  maxBytes?: number;
}

export interface SynthSegmentTruth {
  /** source message id: segments with the same group are planted near-duplicates */
  group: number;
  /** edit rate applied to the source text (0 for the source itself and verbatim copies) */
  rate: number;
  /** true for the first occurrence of the group */
  source: boolean;
}

export interface SynthCorpus {
  docs: CleanDoc[];
  /** truth[d][s] describes segment s of docs[d] */
  truth: SynthSegmentTruth[][];
  /** planted pairs as "<doc index>:<segment index>" keys, each pair ordered by occurrence */
  pairs: [string, string][];
}

export const DEFAULT_RATES = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5];

/** Builds a CleanDoc (one segment per line) from lines of text. */
export function cleanDocFromLines(lines: { kind: SegmentKind; text: string }[], path: string): CleanDoc {
  const text = lines.map((l) => l.text).join('\n');
  const hex = createHash('sha256').update(text).digest('hex');
  let off = 0;
  const segments = lines.map((l, index) => {
    const s = { index, kind: l.kind, text: l.text, start: off, end: off + l.text.length };
    off += l.text.length + 1;
    return s;
  });
  return {
    id: `sha256:${hex}`,
    source: { path, bytes: Buffer.byteLength(text), sha256: hex, encoding: 'utf-8' },
    language: 'en',
    text,
    segments,
    flags: [],
  };
}

export function generateCorpus(opts: SynthOptions): SynthCorpus {
  const r = prng(opts.seed ?? 42);
  const dupRate = opts.dupRate ?? 0.3;
  const rates = opts.rates ?? DEFAULT_RATES;
  const maxReuse = opts.maxReuse ?? 3;
  const minBytes = opts.minBytes ?? 1024;
  const maxBytes = opts.maxBytes ?? 10240;
  const sources: { msg: Message; text: string; uses: number; group: number }[] = [];
  const open: number[] = []; // indexes into sources that may still be reused
  const seen = new Set<number>();
  const members = new Map<number, string[]>();
  const docs: CleanDoc[] = [];
  const truth: SynthSegmentTruth[][] = [];

  for (let d = 0; d < opts.docs; d++) {
    const target = int(r, minBytes, maxBytes);
    const lines: { kind: SegmentKind; text: string }[] = [];
    const tr: SynthSegmentTruth[] = [];
    let bytes = 0;
    while (bytes < target) {
      let line: string;
      let t: SynthSegmentTruth;
      let kind: SegmentKind;
      if (open.length > 0 && r() < dupRate) {
        const oi = int(r, 0, open.length - 1);
        const src = sources[open[oi]!]!;
        const rate = pick(r, rates);
        line = rate === 0 ? src.text : editText(render(src.msg, r), rate, r);
        kind = src.msg.kind;
        t = { group: src.group, rate, source: false };
        if (++src.uses >= maxReuse) open.splice(oi, 1);
      } else {
        let msg: Message;
        let text: string;
        let tries = 0;
        do {
          msg = freshMessage(r, ++tries > 20 || opts.shortMessages === false);
          text = render(msg, r);
        } while (nearSeen(text, seen));
        const group = sources.length;
        sources.push({ msg, text, uses: 0, group });
        open.push(group);
        line = text;
        kind = msg.kind;
        t = { group, rate: 0, source: true };
      }
      const key = `${d}:${lines.length}`;
      const list = members.get(t.group);
      if (list) list.push(key);
      else members.set(t.group, [key]);
      lines.push({ kind, text: line });
      tr.push(t);
      bytes += Buffer.byteLength(line) + 1;
    }
    docs.push(cleanDocFromLines(lines, `synth/${String(d).padStart(6, '0')}.txt`));
    truth.push(tr);
  }
  const pairs: [string, string][] = [];
  for (const list of members.values()) for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pairs.push([list[i]!, list[j]!]);
  return { docs, truth, pairs };
}
