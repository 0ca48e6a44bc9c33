// The benchmark's report: types of the JSON under bench/results/, the markdown table and the
// SVG chart that go into README.md's "Performance" section (the last section of the README).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IndexStats } from '../src/workers/dedup/index-types.js';
import { entitiesMarkdown, type EntityComparison } from './entities.js';

export interface ScenarioReport {
  id: string;
  label: string;
  elapsedMs: number;
  files: number;
  docsPerS: number;
  mbPerS: number;
  msPerDoc: number;
  counts?: Record<string, unknown>;
  stageMs?: Record<string, number>;
  stageShare?: Record<string, number>;
  latency: { p50Ms: number | null; p95Ms: number | null; n: number; method: string };
  /** cpuMs: user + system CPU time of the process over the scenario */
  processes: { role: string; peakRssBytes: number; cpuMs?: number | null }[];
  /** cpuMs: CPU time of the scenario's private redis-server */
  redis?: { usedMemoryPeak: number; usedMemory: number; peakBytesPerDoc: number; cpuMs?: number };
  index?: IndexStats;
  payloadRatios?: Record<string, number>;
}

export interface BenchReport {
  date: string;
  machine: { cores: number; cpu: string; memGB: number; node: string; loadAvgAtEnd: number[] };
  corpus: { docs: number; files: number; bytes: number; exactCopies: number; plantedDuplicateSegments: number; seed: number; generateMs: number };
  scenarios: Record<string, ScenarioReport>;
  ratios: Record<string, number | null>;
  targets: Record<string, boolean | null>;
}

const MiB = (b: number) => (b / 2 ** 20).toFixed(0);
const fmt = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '–' : v.toFixed(d));

function shareText(s?: Record<string, number>): string {
  if (!s) return '–';
  return Object.entries(s)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(', ');
}

/** CPU time per document of each process, Redis last: where the cores went. */
function cpuText(s: ScenarioReport): string {
  const perDoc = (ms: number | null | undefined) => (ms === null || ms === undefined ? '?' : (ms / s.files).toFixed(1));
  if (!s.processes.some((p) => p.cpuMs != null)) return '–';
  const own = s.processes.map((p) => perDoc(p.cpuMs)).join(' + ');
  return s.redis?.cpuMs !== undefined ? `${own} (+ ${perDoc(s.redis.cpuMs)})` : own;
}

export function markdown(reports: BenchReport[], chartFile: string, wallS?: number, entities: EntityComparison[] = []): string {
  const r0 = reports[0]!;
  const out: string[] = [];
  out.push('## Performance', '');
  out.push(
    `Measured with \`npm run bench\` on ${r0.date.slice(0, 10)}: ${r0.machine.cores} cores (${r0.machine.cpu}), ${r0.machine.memGB} GB, Node ${r0.machine.node}, ` +
      `synthetic drops from \`src/synth/generate.ts\` (seed ${r0.corpus.seed}, 1-10 KB per file, planted near-duplicate messages and 1% byte-identical copies). ` +
      `One run, on a shared machine (load average at the end: ${r0.machine.loadAvgAtEnd.join(', ')}), so quote the ratios rather than the absolute figures. ` +
      'Raw figures: [`bench/results/`](bench/results/).',
    '',
  );
  out.push(`![documents per second by scenario](${chartFile})`, '');
  out.push('| docs | scenario | docs/s | MB/s | p50 ms | p95 ms | peak RSS per process (MiB) | Redis peak (MiB) | CPU ms/doc per process (+ Redis) | stage share of time |');
  out.push('| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |');
  for (const r of reports) {
    for (const s of Object.values(r.scenarios).sort((a, b) => a.id.localeCompare(b.id))) {
      out.push(
        `| ${r.corpus.docs} | ${s.label} | ${fmt(s.docsPerS)} | ${fmt(s.mbPerS, 2)} | ${fmt(s.latency.p50Ms)} | ${fmt(s.latency.p95Ms)} | ${s.processes.map((p) => MiB(p.peakRssBytes)).join(' + ')} | ${s.redis ? MiB(s.redis.usedMemoryPeak) : '–'} | ${cpuText(s)} | ${shareText(s.stageShare)} |`,
      );
    }
  }
  out.push('', '| docs | (b)/(a) | (c)/(a) | (a)/(d) | (c)/(e) | dedup index (Redis, after (c)) | Redis peak bytes/doc (c) |');
  out.push('| ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const r of reports) {
    const idx = r.scenarios.c?.index ?? r.scenarios.b?.index;
    const idxText = idx ? `${idx.messages} messages, ${idx.clusters} clusters, ${idx.documents} docs${idx.bytes ? `, ${MiB(idx.bytes)} MiB` : ''}` : '–';
    out.push(
      `| ${r.corpus.docs} | ${fmt(r.ratios['b/a'], 2)} | ${fmt(r.ratios['c/a'], 2)} | ${fmt(r.ratios['a/d'], 2)} | ${fmt(r.ratios['c/e'], 3)} | ${idxText} | ${r.scenarios.c?.redis ? r.scenarios.c.redis.peakBytesPerDoc : '–'} |`,
    );
  }
  if (reports.length > 1) {
    out.push('', 'Growth with the number of documents (each size against the previous one; 1.0 = no growth per document):', '');
    out.push('| docs | ms/doc (a) | ms/doc (c) | ratio (a) | ratio (c) | max RSS/doc (a), bytes | Redis peak/doc (c), bytes | dedup index/doc (c), bytes |');
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    reports.forEach((r, i) => {
      const prev = reports[i - 1];
      const a = r.scenarios.a;
      const c = r.scenarios.c;
      const g = (x?: ScenarioReport, y?: ScenarioReport) => (x && y ? fmt(x.msPerDoc / y.msPerDoc, 2) : '–');
      const rssA = a ? Math.round(Math.max(...a.processes.map((p) => p.peakRssBytes)) / a.files) : null;
      const idx = c?.index?.bytes ? Math.round(c.index.bytes / r.corpus.docs) : null;
      out.push(
        `| ${r.corpus.docs} | ${fmt(a?.msPerDoc, 1)} | ${fmt(c?.msPerDoc, 1)} | ${g(a, prev?.scenarios.a)} | ${g(c, prev?.scenarios.c)} | ${rssA ?? '–'} | ${c?.redis?.peakBytesPerDoc ?? '–'} | ${idx ?? '–'} |`,
      );
    });
  }
  out.push(
    '',
    ...(wallS ? [`The whole run (generation and every scenario at every size) took ${wallS.toFixed(0)} s.`, ''] : []),
    'Targets: (a)/(d) >= 0.6 (our own per-document work costs less than parsing the text once), ' +
      `(c)/(a) >= 1.0 on ${r0.machine.cores} cores (the queue's cost hidden by parallelism), time per document at 100k within 1.2x of 10k.`,
    '',
    'How it is measured: documents/s = files accounted for / wall time of the run (the drop read from disk, all files, copies included); ' +
      'MB/s = bytes of the drop / wall time. Latency: (a) from the producer handing a file on (after reading and decoding) to its documents.jsonl line; ' +
      "(b), (c), (e) from the clean job's `added` event to the write job's `completed` event (Redis event-stream timestamps), so including queue waits " +
      '(runDrop keeps up to 128 documents in flight, in batches of 8 per job; each document of a batch counts with the batch\'s time); (d) one `readDoc` call (`src/shared/nlp.ts`: wink-nlp with the pipe the stages use). Stage share: `stageMs` of the manifest (wall time inside each stage; ' +
      'inline, concurrent documents overlap in the asynchronous stages). Peak RSS: `VmHWM` of each process (`maxRSS` for the scenario processes). ' +
      'Redis: `used_memory_peak` of a private redis-server (textmill\'s own, on a Unix socket) started for each BullMQ scenario. (e) carries payloads as large as the real ones at each stage ' +
      '(ratios to the document size measured on (b)\'s completed jobs), in the same batches of 8 documents per job.',
  );
  out.push(...entitiesMarkdown(entities));
  return out.join('\n') + '\n';
}

const COLORS: Record<string, string> = { a: '#4e79a7', b: '#f28e2b', c: '#e15759', d: '#76b7b2', e: '#59a14f' };

/** Grouped horizontal bars of documents/s per scenario and corpus size, log scale. */
export function svg(reports: BenchReport[]): string {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const rows: { label: string; id: string; v: number }[] = [];
  for (const r of reports) for (const id of ids) if (r.scenarios[id]) rows.push({ label: `${r.corpus.docs} docs`, id, v: r.scenarios[id]!.docsPerS });
  const max = Math.max(10, ...rows.map((r) => r.v));
  const lo = 1;
  const hi = 10 ** Math.ceil(Math.log10(max));
  const left = 90;
  const width = 560;
  const barH = 14;
  const gap = 4;
  const groupGap = 14;
  const top = 30;
  const x = (v: number) => left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * width;
  let y = top;
  const parts: string[] = [];
  let lastLabel = '';
  for (const r of rows) {
    if (r.label !== lastLabel) {
      if (lastLabel) y += groupGap;
      parts.push(`<text x="${left - 8}" y="${y + barH - 2}" text-anchor="end" font-size="12">${r.label}</text>`);
      lastLabel = r.label;
    }
    parts.push(`<rect x="${left}" y="${y}" width="${(x(r.v) - left).toFixed(1)}" height="${barH}" fill="${COLORS[r.id]}"/>`);
    parts.push(`<text x="${(x(r.v) + 4).toFixed(1)}" y="${y + barH - 3}" font-size="11">${r.id}: ${r.v.toFixed(r.v < 100 ? 1 : 0)}</text>`);
    y += barH + gap;
  }
  const h = y + 50;
  const ticks: string[] = [];
  for (let t = lo; t <= hi; t *= 10) {
    ticks.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${y}" stroke="#ddd"/>`);
    ticks.push(`<text x="${x(t)}" y="${y + 14}" text-anchor="middle" font-size="11">${t}</text>`);
  }
  const legend = ids
    .map((id, i) => `<rect x="${left + i * 110}" y="${y + 26}" width="10" height="10" fill="${COLORS[id]}"/><text x="${left + i * 110 + 14}" y="${y + 35}" font-size="11">${{ a: 'inline', b: '1 worker', c: 'all cores', d: 'readDoc', e: 'no-op chain' }[id]}</text>`)
    .join('');
  const r0 = reports[0]!;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="16" font-size="13" font-weight="bold">textmill documents/s (log scale), ${r0.machine.cores} cores, ${r0.date.slice(0, 10)}</text>
${ticks.join('\n')}
${parts.join('\n')}
${legend}
</svg>
`;
}

/** Replaces (or appends) the README's last section, "## Performance". */
export function updateReadme(root: string, reports: BenchReport[], wallS?: number, entities: EntityComparison[] = []) {
  const day = reports[0]!.date.slice(0, 10);
  const chart = `bench/results/${day}.svg`;
  writeFileSync(path.join(root, chart), svg(reports));
  writeFileSync(path.join(root, `bench/results/${day}.md`), markdown(reports, `${day}.svg`, wallS, entities));
  const file = path.join(root, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const at = readme.search(/^## Performance$/m);
  if (at === -1) return writeFileSync(file, readme.replace(/\n*$/, '\n\n') + markdown(reports, chart, wallS, entities));
  // only this section: whatever follows it (a later "## " heading) stays as it is
  const next = readme.slice(at + 1).search(/^## /m);
  const tail = next === -1 ? '' : '\n' + readme.slice(at + 1 + next);
  writeFileSync(file, readme.slice(0, at) + markdown(reports, chart, wallS, entities) + tail);
}
