// Quick entity evaluation without the pipeline: each file's non-empty lines joined with '\n'
// go through entitiesOfText, and PERSON/ORG/LOC/EVENT are scored the way
// ../shared/eval/score.mjs scores them (same normalisation, maximum matching, ignore list).
// Also runs compromise's people()/organizations()/places() on the same texts, and times both
// against a bare wink-nlp readDoc.
//
//   npx tsx src/workers/entities/eval-seeds.ts [--gold <gold.json>] [--dir <files>] [--json] [--verbose]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { entitiesOfText, loadKnowledgeBase, normName } from './entities.js';

const SCORED = ['PERSON', 'ORG', 'LOC', 'EVENT'];

export interface GoldEntity {
  type: string;
  name: string;
  aliases?: string[];
}
export interface Predicted {
  type: string;
  name: string;
  mentions: { text: string }[];
}
export interface Score {
  tp: number;
  fp: number;
  fn: number;
  neutral: number;
  falsePositives: string[];
  falseNegatives: string[];
}

function maxMatching(edges: number[][]): Map<number, number> {
  const matchRight = new Map<number, number>();
  const tryAssign = (u: number, seen: Set<number>): boolean => {
    for (const v of edges[u]!) {
      if (seen.has(v)) continue;
      seen.add(v);
      if (!matchRight.has(v) || tryAssign(matchRight.get(v)!, seen)) {
        matchRight.set(v, u);
        return true;
      }
    }
    return false;
  };
  for (let u = 0; u < edges.length; u++) tryAssign(u, new Set());
  const left = new Map<number, number>();
  for (const [v, u] of matchRight) left.set(u, v);
  return left;
}

/** Scores one file's predicted entities against its gold list, as score.mjs does. */
export function scoreFile(golds: GoldEntity[], predicted: Predicted[], ignoreList: string[]): Score {
  const ignore = new Set(ignoreList.map(normName).filter(Boolean));
  const goldForms = golds.map((g) => new Set([g.name, ...(g.aliases ?? [])].map(normName).filter(Boolean)));
  const preds = predicted
    .filter((e) => SCORED.includes(e.type))
    .map((e) => ({ type: e.type, name: e.name, forms: new Set([e.name, ...e.mentions.map((m) => m.text)].map(normName).filter(Boolean)) }));
  const edges = preds.map((p) => golds.flatMap((g, gi) => (g.type === p.type && [...p.forms].some((f) => goldForms[gi]!.has(f)) ? [gi] : [])));
  const matched = maxMatching(edges);
  const s: Score = { tp: 0, fp: 0, fn: 0, neutral: 0, falsePositives: [], falseNegatives: [] };
  preds.forEach((p, i) => {
    if (matched.has(i)) return void s.tp++;
    if (edges[i]!.length) {
      s.fp++;
      s.falsePositives.push(`${p.type} ${JSON.stringify(p.name)} (second entity for ${golds[edges[i]![0]!]!.name})`);
      return;
    }
    if ([...p.forms].some((f) => ignore.has(f))) return void s.neutral++;
    s.fp++;
    s.falsePositives.push(`${p.type} ${JSON.stringify(p.name)}`);
  });
  const matchedGold = new Set(matched.values());
  golds.forEach((g, gi) => {
    if (!matchedGold.has(gi)) {
      s.fn++;
      s.falseNegatives.push(`${g.type} ${g.name}`);
    }
  });
  return s;
}

export const prf = (tp: number, fp: number, fn: number) => {
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return { precision: p, recall: r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
};

/** The seed files' non-empty lines joined with '\n': roughly what the clean stage gives. */
export const cleanish = (raw: string) => raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join('\n');

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const goldPath = resolve(opt('--gold', '../shared/eval/gold/seeds.json'));
  const dir = resolve(opt('--dir', goldPath.endsWith('ungdc.json') ? '../shared/corpora/ungdc' : '../shared/seeds'));
  if (!existsSync(goldPath) || !existsSync(dir)) {
    console.error(`missing ${goldPath} or ${dir}`);
    process.exit(2);
  }
  const gold = JSON.parse(readFileSync(goldPath, 'utf8')) as { entities: Record<string, GoldEntity[] | string[]> };
  const ignore = (gold.entities['ignore'] ?? []) as string[];
  const files = Object.keys(gold.entities).filter((k) => k !== 'ignore');
  const texts = files.map((f) => cleanish(readFileSync(join(dir, f), 'utf8')));
  const kb = loadKnowledgeBase();
  const { default: compromise } = await import('compromise');

  const systems: Record<string, (t: string) => Predicted[]> = {
    textmill: (t) => entitiesOfText(t, kb),
    compromise: (t) => {
      const d = compromise(t);
      const group = (type: string, xs: string[]) => {
        const by = new Map<string, Predicted>();
        for (const x of xs) {
          const k = x.trim();
          if (!k) continue;
          if (!by.has(k)) by.set(k, { type, name: k, mentions: [] });
          by.get(k)!.mentions.push({ text: k });
        }
        return [...by.values()];
      };
      return [...group('PERSON', d.people().out('array')), ...group('ORG', d.organizations().out('array')), ...group('LOC', d.places().out('array'))];
    },
  };
  const verbose = args.includes('--verbose');
  const result: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(systems)) {
    let tp = 0, fp = 0, fn = 0, neutral = 0;
    files.forEach((f, i) => {
      const s = scoreFile(gold.entities[f] as GoldEntity[], run(texts[i]!), ignore);
      tp += s.tp; fp += s.fp; fn += s.fn; neutral += s.neutral;
      if (verbose && name === 'textmill') console.log(f, '\n  FP:', s.falsePositives.join('; '), '\n  FN:', s.falseNegatives.join('; '));
    });
    result[name] = { tp, fp, fn, neutral, ...prf(tp, fp, fn) };
  }
  // speed: same texts; the systems take turns each round (the machine may be shared) and the
  // fastest round of each counts
  const rounds = Number(opt('--rounds', '20'));
  // a separate wink instance without the custom entities the entity stage learns: the bare baseline
  const bare = winkNLP(model);
  const runs: Record<string, (t: string) => unknown> = { winkReadDoc: (t) => bare.readDoc(t), textmill: systems['textmill']!, compromise: systems['compromise']! };
  const best: Record<string, number> = {};
  for (const [k, fn] of Object.entries(runs)) {
    for (const t of texts) fn(t);
    best[k] = Infinity;
  }
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(runs)) {
      const t0 = performance.now();
      for (const t of texts) fn(t);
      best[k] = Math.min(best[k]!, performance.now() - t0);
    }
  }
  const chars = texts.reduce((a, t) => a + t.length, 0);
  result['speed'] = {
    chars, msBestRound: best,
    textmillVsWinkReadDoc: best['winkReadDoc']! / best['textmill']!, textmillVsCompromise: best['compromise']! / best['textmill']!,
  };
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else {
    for (const [k, v] of Object.entries(result)) console.log(k, JSON.stringify(v, (_k, x) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x)));
  }
}

if (process.argv[1]?.endsWith("eval-seeds.ts")) main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
