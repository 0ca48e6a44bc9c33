// `npm run bench`: the same synthetic drop through (a) --inline, (b) BullMQ with one worker
// process, (c) BullMQ with a producer and one `textmill worker` process per core, and the
// limits (d) bare wink-nlp readDoc and (e) a no-op five-stage BullMQ chain; results as JSON
// under bench/results/ and a table and chart in README.md's Performance section.
//
//   npm run bench                      1k and 10k documents
//   npm run bench -- --docs 100000     (repeatable, or a comma list)   --big = 1k,10k,100k
//   npm run bench -- --only a,d        scenarios to run
//   npm run bench -- --profile         CPU profile of an inline run of ~1k docs, summarised
//   npm run bench -- --profile --profile-bullmq   the same for (b)   [--tag NAME] [--keep]
//   npm run bench -- --c-split         (c) as an idle producer + one worker process per core
//   npm run bench -- --no-readme       do not touch README.md
//   npm run bench -- --no-entities     skip the entity comparison with compromise (../shared gold)
//   npm run bench -- --readme-only --date YYYY-MM-DD [--docs ...] [--wall S]   README section from saved JSON
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { connect, startEmbeddedRedis } from '../src/shared/redis.js';
import { queuePrefix, STAGES } from '../src/shared/queues.js';
import { createRedisIndex } from '../src/workers/dedup/index-redis.js';
import { writeCorpus, SEED, type BenchCorpus } from './corpus.js';
import { cpuMs, peakRss, percentile, redisCpuMs, type Mode, type ScenarioArgs, type ScenarioResult } from './common.js';
import { Progress } from './progress.js';
import { updateReadme, type BenchReport, type ScenarioReport } from './report.js';
import { summarise } from './profile-summary.js';
import { compareEntities, type EntityComparison } from './entities.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORES = os.availableParallelism();

// ------------------------------------------------------------------ arguments

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const values = (name: string) => argv.flatMap((a, i) => (a === name && argv[i + 1] ? argv[i + 1]!.split(',') : []));
let sizes = values('--docs').map(Number);
if (!sizes.length) sizes = flag('--big') ? [1000, 10000, 100000] : [1000, 10000];
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('--docs takes positive whole numbers');
  process.exit(2);
}
const only = new Set(values('--only').length ? values('--only') : ['a', 'b', 'c', 'd', 'e']);
const keep = flag('--keep');
// (c) is laid out as `textmill run` lays itself out by default: the run process works too, plus
// one `textmill worker` per other core. --c-split: an idle producer and one worker per core.
const cSplit = flag('--c-split');

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
process.once('SIGINT', () => {
  for (const c of children) c.kill('SIGTERM');
  void Promise.all(cleanups.map((f) => f().catch(() => {}))).finally(() => process.exit(130));
});

// ------------------------------------------------------------------ processes

function forkScenario(a: ScenarioArgs, bar: Progress, execArgv: string[] = []): { child: ChildProcess; done: Promise<ScenarioResult> } {
  const child = fork(path.join(ROOT, 'bench/scenario.ts'), [JSON.stringify(a)], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: ROOT,
  });
  children.add(child);
  const done = new Promise<ScenarioResult>((resolve, reject) => {
    let result: ScenarioResult | undefined;
    child.on('message', (m: { type: string; done?: number; total?: number | null; result?: ScenarioResult; message?: string }) => {
      if (m.type === 'progress') bar.update(m.done!, m.total ?? undefined);
      else if (m.type === 'result') result = m.result;
      else if (m.type === 'error') reject(new Error(`${a.mode} failed: ${m.message}`));
    });
    child.once('exit', (code) => {
      children.delete(child);
      if (result) resolve(result);
      else reject(new Error(`${a.mode} scenario exited with ${code} and no result`));
    });
  });
  return { child, done };
}

/** `textmill worker` processes: resolves once each has logged that it is ready. */
async function startTextmillWorkers(n: number, redisUrl: string, namespace: string): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: n }, () => {
      const p = spawn(process.execPath, ['bin/textmill.js', 'worker', '--redis', redisUrl, '--namespace', namespace], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, TEXTMILL_LOG_LEVEL: 'info' },
      });
      children.add(p);
      procs.push(p);
      return new Promise<void>((resolve, reject) => {
        let buf = '';
        p.stderr!.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('worker ready')) resolve();
          if (buf.length > 100_000) buf = buf.slice(-10_000);
        });
        p.once('exit', (code) => reject(new Error(`textmill worker exited with ${code}: ${buf.slice(-2000)}`)));
      });
    }),
  );
  return procs;
}

async function startNoopWorkers(n: number, redisUrl: string, namespace: string, ratios: Record<string, number>): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: n }, () => {
      const p = fork(path.join(ROOT, 'bench/noop-worker.ts'), [JSON.stringify({ redisUrl, namespace, concurrency: CORES, ratios })], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        cwd: ROOT,
      });
      children.add(p);
      procs.push(p);
      return new Promise<void>((resolve, reject) => {
        p.on('message', (m: { type: string }) => m.type === 'ready' && resolve());
        p.once('exit', (code) => reject(new Error(`noop worker exited with ${code}`)));
      });
    }),
  );
  return procs;
}

/** Peak RSS of each process, then SIGTERM and wait. */
async function stopAll(procs: ChildProcess[]): Promise<{ peak: number; cpuMs: number | null }[]> {
  const peaks = procs.map((p) => ({ peak: peakRss(p.pid!) ?? 0, cpuMs: cpuMs(p.pid!) }));
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
          p.once('exit', () => {
            clearTimeout(t);
            children.delete(p);
            resolve();
          });
          p.kill('SIGTERM');
        }),
    ),
  );
  return peaks;
}

// ------------------------------------------------------------------ per-document latency (BullMQ)

/**
 * From the Redis event stream of the clean and write queues: a document's latency is the time
 * between its clean job's `added` event and its write job's `completed` event (both stamped by
 * the Redis server, in the event ids), so it includes the time spent waiting in the queues.
 */
async function latencyTracker(redisUrl: string, namespace: string) {
  const prefix = queuePrefix(namespace);
  const mk = (q: string) => new QueueEvents(q, { connection: { url: redisUrl } as never, prefix, autorun: true });
  const clean = mk('clean');
  const write = mk('write');
  await Promise.all([clean.waitUntilReady(), write.waitUntilReady()]);
  const start = new Map<string, number>();
  const lat: number[] = [];
  // a job's key: one document's hex, or a batch's hash and document count (batchKey)
  const key = (jobId: string) => /\.([0-9a-f]{64}|[0-9a-f]{32}-\d+)\.(clean|write)$/.exec(jobId)?.[1];
  const docsOf = (k: string) => Number(/-(\d+)$/.exec(k)?.[1] ?? 1);
  const ts = (eventId: string) => Number(eventId.split('-')[0]);
  clean.on('added', ({ jobId }, id) => {
    const k = key(jobId);
    if (k) start.set(k, ts(id));
  });
  write.on('completed', ({ jobId }, id) => {
    const k = key(jobId);
    const t = k ? start.get(k) : undefined;
    if (k && t !== undefined) {
      // every document of a batch took the batch's time
      for (let i = docsOf(k); i > 0; i--) lat.push(ts(id) - t);
      start.delete(k);
    }
  });
  return {
    latencies: lat,
    close: async () => {
      await new Promise((r) => setTimeout(r, 300)); // last events
      await Promise.all([clean.close(), write.close()]);
    },
  };
}

async function redisInfo(url: string) {
  const r = connect(url, 'client');
  try {
    const info = await r.info('memory');
    const field = (f: string) => Number(new RegExp(`^${f}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return { usedMemoryPeak: field('used_memory_peak'), usedMemory: field('used_memory'), cpuMs: Math.round(await redisCpuMs(r)) };
  } finally {
    r.disconnect();
  }
}

/** Average job payload bytes per document byte, per queue, from the completed jobs BullMQ keeps. */
async function payloadRatios(url: string, namespace: string): Promise<Record<string, number>> {
  const { Queue } = await import('bullmq');
  const r = connect(url, 'worker');
  const out: Record<string, number> = {};
  try {
    for (const s of STAGES) {
      const q = new Queue(s, { connection: r, prefix: queuePrefix(namespace) });
      const jobs = await q.getJobs(['completed'], 0, 199);
      let data = 0;
      let bytes = 0;
      type P = { source?: { bytes?: number }; doc?: { source?: { bytes?: number } } };
      for (const j of jobs) {
        const d = j.data as { payload?: P; docs?: P[] };
        const b = (d.docs ?? (d.payload ? [d.payload] : [])).reduce((sum, p) => sum + (p.source?.bytes ?? p.doc?.source?.bytes ?? 0), 0);
        if (!b) continue;
        data += JSON.stringify(j.data).length;
        bytes += b;
      }
      if (bytes) out[s] = Math.round((data / bytes) * 100) / 100;
      await q.close();
    }
  } finally {
    r.disconnect();
  }
  return out;
}

// ------------------------------------------------------------------ scenarios

const LABELS: Record<string, string> = {
  a: '(a) inline, 1 process',
  b: '(b) BullMQ, 1 worker process',
  c: cSplit
    ? `(c) BullMQ, producer + ${CORES} worker processes`
    : `(c) BullMQ, run + ${CORES - 1} worker process${CORES === 2 ? '' : 'es'} (default layout)`,
  d: '(d) limit: bare wink-nlp readDoc',
  e: `(e) limit: no-op 5-stage BullMQ chain, ${CORES} worker processes`,
};

function summarize(id: string, corpus: BenchCorpus, r: ScenarioResult, extra: Partial<ScenarioReport>): ScenarioReport {
  const s = r.elapsedMs / 1000;
  const lat = [...(extra.latency ? [] : (r.latenciesMs ?? []))].sort((x, y) => x - y);
  const stageMs = r.manifest?.stageMs ?? {};
  const totalStage = Object.values(stageMs).reduce((x, y) => x + y, 0);
  return {
    id,
    label: LABELS[id]!,
    elapsedMs: Math.round(r.elapsedMs),
    files: r.files,
    docsPerS: round(r.files / s, 1),
    mbPerS: round(corpus.bytes / 1e6 / s, 2),
    msPerDoc: round(r.elapsedMs / r.files, 2),
    ...(r.manifest
      ? {
          counts: r.manifest.counts,
          stageMs,
          stageShare: Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, round(v / totalStage, 3)])),
        }
      : {}),
    latency: extra.latency ?? { p50Ms: round(percentile(lat, 50), 1), p95Ms: round(percentile(lat, 95), 1), n: lat.length, method: '' },
    processes: [],
    ...(r.index ? { index: r.index } : {}),
    ...extra,
  } as ScenarioReport;
}

function round(v: number | null, d: number): number | null {
  if (v === null) return null;
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

function latencyOf(ms: number[], method: string) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50Ms: round(percentile(s, 50), 1), p95Ms: round(percentile(s, 95), 1), n: s.length, method };
}

async function benchSize(tmp: string, docs: number, bar: Progress): Promise<BenchReport> {
  bar.start(`generate ${docs} docs`, docs);
  const corpus = writeCorpus(tmp, docs);
  bar.update(docs, docs);
  bar.done(`${corpus.files} files, ${(corpus.bytes / 1e6).toFixed(1)} MB, ${corpus.plantedSegments} planted duplicate messages, ${corpus.copies} exact copies (${(corpus.genMs / 1000).toFixed(1)} s)`);
  const texts = corpus.texts;
  corpus.texts = [];
  void texts;
  const base = (mode: Mode, ns: string): ScenarioArgs => ({ mode, dropDir: corpus.dir, outDir: path.join(tmp, `out-${mode}-${ns}-${docs}`), namespace: ns });
  const scen: Record<string, ScenarioReport> = {};
  let ratios: Record<string, number> = {};

  if (only.has('d')) {
    bar.start(LABELS.d!, corpus.files);
    const r = await forkScenario(base('readdoc', 'd'), bar).done;
    scen.d = summarize('d', corpus, r, {
      latency: latencyOf(r.latenciesMs ?? [], 'time of one nlp.readDoc call'),
      processes: [{ role: 'readDoc loop', peakRssBytes: r.maxRssBytes, cpuMs: r.cpuMs }],
    });
    bar.done(line(scen.d));
  }

  if (only.has('a')) {
    bar.start(LABELS.a!, corpus.files);
    const r = await forkScenario(base('inline', 'a'), bar).done;
    scen.a = summarize('a', corpus, r, {
      latency: latencyOf(r.latenciesMs ?? [], "producer's hand-off (after read + decode) to the documents.jsonl line"),
      processes: [{ role: 'inline run', peakRssBytes: r.maxRssBytes, cpuMs: r.cpuMs }],
    });
    bar.done(line(scen.a));
  }

  for (const id of ['b', 'c', 'e'] as const) {
    if (!only.has(id)) continue;
    const redis = await startEmbeddedRedis();
    cleanups.push(redis.stop);
    const ns = `bench-${id}-${docs}`;
    try {
      bar.start(LABELS[id]!, corpus.files);
      const track = await latencyTracker(redis.url, ns);
      let r: ScenarioResult;
      let processes: ScenarioReport['processes'];
      if (id === 'b') {
        r = await forkScenario({ ...base('local', ns), redisUrl: redis.url }, bar).done;
        processes = [{ role: 'run: producer + in-process workers', peakRssBytes: r.maxRssBytes, cpuMs: r.cpuMs }];
        ratios = await payloadRatios(redis.url, ns);
      } else if (id === 'c') {
        const workers = await startTextmillWorkers(cSplit ? CORES : CORES - 1, redis.url, ns);
        r = await forkScenario({ ...base(cSplit ? 'produce' : 'local', ns), redisUrl: redis.url }, bar).done;
        const peaks = await stopAll(workers);
        const role = cSplit ? 'producer (runDrop, localWorkers: false)' : 'run: producer + in-process workers';
        processes = [{ role, peakRssBytes: r.maxRssBytes, cpuMs: r.cpuMs }, ...peaks.map((p, i) => ({ role: `textmill worker ${i + 1}`, peakRssBytes: p.peak, cpuMs: p.cpuMs }))];
      } else {
        const workers = await startNoopWorkers(CORES, redis.url, ns, ratios);
        r = await forkScenario({ ...base('noop', ns), redisUrl: redis.url }, bar).done;
        const peaks = await stopAll(workers);
        processes = [{ role: 'producer', peakRssBytes: r.maxRssBytes, cpuMs: r.cpuMs }, ...peaks.map((p, i) => ({ role: `no-op worker ${i + 1}`, peakRssBytes: p.peak, cpuMs: p.cpuMs }))];
      }
      await track.close();
      const mem = await redisInfo(redis.url);
      let index;
      if (id !== 'e') {
        const c = connect(redis.url, 'client');
        index = await createRedisIndex(c, ns).stats();
        c.disconnect();
      }
      scen[id] = summarize(id, corpus, r, {
        latency: latencyOf(track.latencies, "clean job added -> write job completed (Redis event stream timestamps)"),
        processes,
        redis: { ...mem, peakBytesPerDoc: Math.round(mem.usedMemoryPeak / corpus.files) },
        ...(index ? { index } : {}),
        ...(id === 'e' ? { payloadRatios: ratios } : {}),
      });
      bar.done(line(scen[id]!));
    } finally {
      await redis.stop();
    }
  }

  const ratio = (x?: ScenarioReport, y?: ScenarioReport) => (x && y ? round(x.docsPerS / y.docsPerS, 2) : null);
  const ratiosOut = {
    'b/a': ratio(scen.b, scen.a),
    'c/a': ratio(scen.c, scen.a),
    'a/d': ratio(scen.a, scen.d),
    'c/e': ratio(scen.c, scen.e),
  };
  return {
    date: new Date().toISOString(),
    machine: { cores: CORES, cpu: os.cpus()[0]?.model ?? 'unknown', memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAvgAtEnd: os.loadavg().map((l) => round(l, 2)!) },
    corpus: { docs, files: corpus.files, bytes: corpus.bytes, exactCopies: corpus.copies, plantedDuplicateSegments: corpus.plantedSegments, seed: SEED, generateMs: Math.round(corpus.genMs) },
    scenarios: scen,
    ratios: ratiosOut,
    targets: { 'a/d >= 0.6': ratiosOut['a/d'] === null ? null : ratiosOut['a/d'] >= 0.6, 'c/a >= 1.0': ratiosOut['c/a'] === null ? null : ratiosOut['c/a'] >= 1.0 },
  };
}

function line(s: ScenarioReport): string {
  const rss = Math.max(...s.processes.map((p) => p.peakRssBytes)) / 2 ** 20;
  const cpu = s.processes.map((p) => (p.cpuMs == null ? '?' : (p.cpuMs / 1000).toFixed(0))).join(' + ') + (s.redis?.cpuMs !== undefined ? ` + Redis ${(s.redis.cpuMs / 1000).toFixed(0)}` : '');
  return `${s.docsPerS} docs/s, ${s.mbPerS} MB/s, p50 ${s.latency.p50Ms} ms, p95 ${s.latency.p95Ms} ms, max RSS ${rss.toFixed(0)} MiB${s.redis ? `, Redis peak ${(s.redis.usedMemoryPeak / 2 ** 20).toFixed(0)} MiB` : ''}, CPU s ${cpu}`;
}

// ------------------------------------------------------------------ profile

async function profile(tmp: string, bar: Progress) {
  const docs = Number(values('--docs')[0] ?? 1000);
  bar.start(`generate ${docs} docs (profile)`, docs);
  const corpus = writeCorpus(tmp, docs);
  bar.done(`${corpus.files} files`);
  const dir = path.join(tmp, 'prof');
  // --profile-bullmq: profile (b), the run with in-process BullMQ workers, instead of (a)
  const bullmq = flag('--profile-bullmq');
  const redis = bullmq ? await startEmbeddedRedis() : undefined;
  if (redis) cleanups.push(redis.stop);
  bar.start(`${bullmq ? 'BullMQ run with in-process workers' : 'inline run'} under --cpu-prof`, corpus.files);
  const r = await forkScenario(
    { mode: bullmq ? 'local' : 'inline', dropDir: corpus.dir, outDir: path.join(tmp, 'out-prof'), namespace: 'prof', ...(redis ? { redisUrl: redis.url } : {}) },
    bar,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  ).done;
  await redis?.stop();
  bar.done(`${(r.files / (r.elapsedMs / 1000)).toFixed(1)} docs/s under the profiler`);
  const { readdirSync, statSync, copyFileSync } = await import('node:fs');
  const files = readdirSync(dir).map((f) => path.join(dir, f)).sort((x, y) => statSync(y).size - statSync(x).size);
  const tag = argv[argv.indexOf('--tag') + 1];
  const name = `profile-${new Date().toISOString().slice(0, 10)}-${bullmq ? 'bullmq' : 'inline'}-${docs}${flag('--tag') && tag ? `-${tag}` : ''}`;
  const out = path.join(tmp, `${name}.cpuprofile`);
  copyFileSync(files[0]!, out);
  const s = summarise(out, 30);
  // the summary is kept (bench/results/), the raw profile (tens of MB) only with --keep
  writeFileSync(path.join(ROOT, 'bench/results', `${name}.json`), JSON.stringify({ docs, corpusFiles: r.files, elapsedMs: Math.round(r.elapsedMs), stageMs: r.manifest?.stageMs, ...s }, null, 2) + '\n');
  console.log(`\nprofile: bench/results/${name}.json (${s.totalMs} ms sampled)\n\nself time by function:`);
  for (const h of s.functions) console.log(`${String(h.selfMs).padStart(7)} ms ${String(h.share).padStart(5)}%  ${h.fn}  ${h.where}`);
  console.log('\ntime charged to the nearest function of src/ on the stack:');
  for (const h of s.ownCode) console.log(`${String(h.selfMs).padStart(7)} ms ${String(h.share).padStart(5)}%  ${h.fn}  ${h.where}`);
}

// ------------------------------------------------------------------ main

const tmp = mkdtempSync(path.join(os.tmpdir(), 'textmill-bench-'));
cleanups.push(async () => {
  if (!keep) rmSync(tmp, { recursive: true, force: true });
});
const bar = new Progress(process.stderr.isTTY === true && !process.env.CI);
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
const t0 = Date.now();
try {
  if (flag('--readme-only')) {
    // --readme-only --date YYYY-MM-DD [--wall S]: the README section again from saved results
    const day = values('--date')[0] ?? new Date().toISOString().slice(0, 10);
    const reports = sizes.map((d) => JSON.parse(readFileSync(path.join(ROOT, 'bench/results', `${day}-${d}.json`), 'utf8')) as BenchReport);
    const entFile = path.join(ROOT, 'bench/results', `${day}-entities.json`);
    const entities = existsSync(entFile) ? (JSON.parse(readFileSync(entFile, 'utf8')) as EntityComparison[]) : [];
    updateReadme(ROOT, reports, values('--wall')[0] ? Number(values('--wall')[0]) : undefined, entities);
  } else if (flag('--profile')) {
    await profile(tmp, bar);
  } else {
    console.error(`textmill bench: ${sizes.join(', ')} documents, scenarios ${[...only].join(',')}, ${CORES} cores, seed ${SEED}`);
    const reports: BenchReport[] = [];
    for (const docs of sizes) {
      const rep = await benchSize(tmp, docs, bar);
      const file = path.join(ROOT, 'bench/results', `${rep.date.slice(0, 10)}-${docs}.json`);
      writeFileSync(file, JSON.stringify(rep, null, 2) + '\n');
      console.error(`${docs}: ratios ${JSON.stringify(rep.ratios)} -> ${path.relative(ROOT, file)}`);
      reports.push(rep);
    }
    // Entities against compromise on the hand-annotated drops (where ../shared is present).
    let entities: EntityComparison[] = [];
    if (!flag('--no-entities')) {
      console.error('entities: textmill vs compromise on the annotated drops in ../shared');
      // 3 rounds, not 10: ~8 s less, and the default run must stay within 10 minutes. The fastest of
      // 3 reads textmill a few percent slower against a bare readDoc (ungdc, three runs each: 0.68,
      // 0.69, 0.73 vs 0.72, 0.79, 0.78); the F1 scores do not depend on it.
      entities = compareEntities(ROOT, 3);
      for (const c of entities) console.error(`  ${c.files}: F1 textmill ${c.textmill.f1.toFixed(3)} vs compromise ${c.compromise.f1.toFixed(3)}; speed ${c.speed.textmillVsCompromise.toFixed(1)}x compromise, ${c.speed.textmillVsWinkReadDoc.toFixed(2)}x bare readDoc`);
      if (entities.length === 0) console.error('  (skipped: no ../shared/eval/gold beside the checkout)');
      else writeFileSync(path.join(ROOT, 'bench/results', `${reports[0]!.date.slice(0, 10)}-entities.json`), JSON.stringify(entities, null, 2) + '\n');
    }
    if (!flag('--no-readme')) updateReadme(ROOT, reports, (Date.now() - t0) / 1000, entities);
    console.error(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
} finally {
  for (const f of cleanups) await f().catch(() => {});
}
