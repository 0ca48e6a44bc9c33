// Quick segment-level evaluation of the theme tagger against hand-made gold, without the
// pipeline: each non-empty line of each input file is a segment (as the gold counts them),
// analysed with nlp.ts like the entity stage does, then tagged with tagThemes.
//
//   npx tsx src/workers/themes/eval-seeds.ts [--seeds DIR] [--gold FILE] [--themes FILE] [--errors] [--json]
//
// Defaults: ../shared/seeds and ../shared/eval/gold/seeds.json beside the checkout. Micro P/R/F1 over
// (gold key, theme id) pairs, as ../shared/eval/score.mjs counts them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EntitiesDoc } from '../../shared/schemas.js';
import { loadTaxonomy, type Taxonomy } from './taxonomy.js';
import { analyseText, tagThemes } from './themes.js';

export const SHARED_DIR = fileURLToPath(new URL('../../../../shared', import.meta.url));
export const DEFAULT_SEEDS_DIR = join(SHARED_DIR, 'seeds');
export const DEFAULT_GOLD = join(SHARED_DIR, 'eval/gold/seeds.json');

interface GoldSegment {
  file: string;
  themes: string[];
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface EvalResult extends Counts {
  precision: number;
  recall: number;
  f1: number;
  segments: number;
  perTheme: Record<string, Counts & { f1: number }>;
  errors: { key: string; text: string; missed: string[]; extra: string[] }[];
}

const f1Of = (c: Counts) => {
  const p = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 0;
  const r = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0;
  return { precision: p, recall: r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
};

/** Tags every non-empty line of every file in `seedsDir` and scores it against the gold. */
export function evaluateSeeds(taxonomy: Taxonomy, seedsDir = DEFAULT_SEEDS_DIR, goldPath = DEFAULT_GOLD): EvalResult {
  const gold = JSON.parse(readFileSync(goldPath, 'utf8')) as { segments: Record<string, GoldSegment> };
  const keyFor = new Map<string, string>();
  for (const [key, g] of Object.entries(gold.segments)) keyFor.set(`${g.file}#${Number(key.split(':').pop())}`, key);

  const total: Counts = { tp: 0, fp: 0, fn: 0 };
  const perTheme: Record<string, Counts> = {};
  const bump = (id: string, field: keyof Counts) => {
    (perTheme[id] ??= { tp: 0, fp: 0, fn: 0 })[field]++;
    total[field]++;
  };
  const errors: EvalResult['errors'] = [];
  let segments = 0;

  for (const name of readdirSync(seedsDir).sort()) {
    const path = join(seedsDir, name);
    if (!name.endsWith('.txt')) continue;
    const lines = readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    const doc = {
      language: 'en',
      segments: lines.map((text, index) => ({ index, kind: 'paragraph', text, start: 0, end: 0, cluster: `c${index}`, duplicateOf: null })),
      analysis: lines.map(analyseText),
      entities: [],
    } as unknown as EntitiesDoc;
    const themed = tagThemes(doc, taxonomy);
    themed.segments.forEach((seg, i) => {
      const key = keyFor.get(`${basename(name)}#${i}`);
      if (!key) return;
      segments++;
      const want = new Set(gold.segments[key]!.themes);
      const got = new Set(seg.themes);
      const missed = [...want].filter((t) => !got.has(t));
      const extra = [...got].filter((t) => !want.has(t));
      for (const t of got) bump(t, want.has(t) ? 'tp' : 'fp');
      for (const t of missed) bump(t, 'fn');
      if (missed.length || extra.length) errors.push({ key, text: lines[i]!, missed, extra });
    });
  }
  const per: EvalResult['perTheme'] = {};
  for (const [id, c] of Object.entries(perTheme).sort()) per[id] = { ...c, f1: f1Of(c).f1 };
  return { ...total, ...f1Of(total), segments, perTheme: per, errors };
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seeds = arg('--seeds') ?? DEFAULT_SEEDS_DIR;
  const gold = arg('--gold') ?? DEFAULT_GOLD;
  if (!existsSync(seeds) || !existsSync(gold)) {
    console.error(`need ${seeds} and ${gold} (the shared test data)`);
    process.exit(2);
  }
  const r = evaluateSeeds(loadTaxonomy(arg('--themes')), seeds, gold);
  if (argv.includes('--json')) {
    console.log(JSON.stringify(r));
    return;
  }
  const f = (x: number) => x.toFixed(3);
  if (argv.includes('--errors'))
    for (const e of r.errors)
      console.log(`${e.key}  missed [${e.missed.join(', ')}]  extra [${e.extra.join(', ')}]\n    ${e.text.slice(0, 160)}`);
  for (const [id, c] of Object.entries(r.perTheme))
    console.log(`${id.padEnd(24)} tp ${String(c.tp).padStart(3)} fp ${String(c.fp).padStart(3)} fn ${String(c.fn).padStart(3)}  F1 ${f(c.f1)}`);
  console.log(`themes P=${f(r.precision)} R=${f(r.recall)} F1=${f(r.f1)}  (tp ${r.tp}, fp ${r.fp}, fn ${r.fn} over ${r.segments} segments)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
