// The benchmark's entity comparison: textmill's entity stage against compromise's
// people()/organizations()/places() on the hand-annotated drops beside the checkout
// (../shared), scored like ../shared/eval/score.mjs, and timed against a bare wink-nlp readDoc.
// Runs src/workers/entities/eval-seeds.ts in a child process (its own wink instance, so the
// timing is not disturbed by the scenarios' processes).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface SystemScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface EntityComparison {
  gold: string;
  rounds: number;
  files: string;
  textmill: SystemScore;
  compromise: SystemScore;
  speed: { chars: number; msBestRound: Record<string, number>; textmillVsWinkReadDoc: number; textmillVsCompromise: number };
}

const GOLDS = [
  { gold: 'eval/gold/seeds.json', files: 'seeds' },
  { gold: 'eval/gold/ungdc.json', files: 'corpora/ungdc' },
];

/** One comparison per gold file found under ../shared; [] when there is none (a user's clone). */
export function compareEntities(root: string, rounds = 10): EntityComparison[] {
  const shared = path.resolve(root, '../shared');
  const out: EntityComparison[] = [];
  for (const g of GOLDS) {
    const gold = path.join(shared, g.gold);
    const dir = path.join(shared, g.files);
    if (!existsSync(gold) || !existsSync(dir)) continue;
    const json = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/workers/entities/eval-seeds.ts', '--json', '--gold', gold, '--dir', dir, '--rounds', String(rounds)],
      { cwd: root, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
    );
    const r = JSON.parse(json.trim().split('\n').pop()!) as Omit<EntityComparison, 'gold' | 'files'>;
    out.push({ gold: `../shared/${g.gold}`, rounds, files: `../shared/${g.files}`, textmill: r.textmill, compromise: r.compromise, speed: r.speed });
  }
  return out;
}

export function entitiesMarkdown(cmp: EntityComparison[]): string[] {
  if (cmp.length === 0) return [];
  const f = (x: number) => x.toFixed(3);
  const out = [
    '',
    'Entities (PERSON, ORG, LOC, EVENT) against compromise 14 (`people()`, `organizations()`, `places()`) on the same hand-annotated texts, ' +
      `scored as \`../shared/eval/score.mjs\` scores them; speed is the fastest of ${cmp[0]!.rounds} rounds over all texts of the drop, each system in turn:`,
    '',
    '| texts | system | precision | recall | F1 | ms per round | speed vs compromise | speed vs bare readDoc |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cmp) {
    const ms = c.speed.msBestRound;
    out.push(
      `| \`${c.files}\` | textmill | ${f(c.textmill.precision)} | ${f(c.textmill.recall)} | ${f(c.textmill.f1)} | ${ms['textmill']!.toFixed(1)} | ${c.speed.textmillVsCompromise.toFixed(2)}x | ${c.speed.textmillVsWinkReadDoc.toFixed(2)}x |`,
      `| \`${c.files}\` | compromise | ${f(c.compromise.precision)} | ${f(c.compromise.recall)} | ${f(c.compromise.f1)} | ${ms['compromise']!.toFixed(1)} | 1.00x | ${(ms['winkReadDoc']! / ms['compromise']!).toFixed(2)}x |`,
    );
  }
  return out;
}
