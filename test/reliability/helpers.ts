// Shared by the reliability tests: a seeded PRNG, a generator of small but real-looking text
// documents, the `textmill` command as a child process, and the "every file exactly once"
// check of an output folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { listDrop } from '../../src/producers/scan.js';
import { ROOT } from '../helpers/pipeline.js';

export const BIN = path.join(ROOT, 'bin/textmill.js');

/** mulberry32: small, fast, good enough for test data, and reproducible from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
export type Rng = ReturnType<typeof prng>;

const PEOPLE = ['Maria Lopez', 'John Carter', 'Aiko Tanaka', 'Peter Novak', 'Fatima Haddad', 'Lars Eriksen', 'Grace Okafor', 'Tomás Silva'];
const ORGS = ['the Ministry of Health', 'the city council', 'Northwind Energy', 'the European Commission', 'the Red Cross', 'Acme Logistics', 'the central bank', 'the port authority'];
const PLACES = ['Lisbon', 'Nairobi', 'Oslo', 'Toronto', 'Osaka', 'Lyon', 'Krakow', 'Valparaíso'];
const TOPICS = ['flood defences', 'school meals', 'interest rates', 'a new rail link', 'vaccination', 'wind farms', 'housing permits', 'water prices', 'migrant reception centres', 'the harbour expansion'];
const VERBS = ['announced', 'criticised', 'approved', 'postponed', 'defended', 'questioned', 'welcomed', 'reviewed'];
const TAILS = [
  'after a week of talks.',
  'despite protests outside the building.',
  'in a statement on Tuesday.',
  'citing rising costs.',
  'following a report by independent auditors.',
  'and promised further details next month.',
  'to the surprise of local residents.',
  'ahead of the regional elections.',
];

function sentence(r: Rng): string {
  const n = r.int(10_000);
  switch (r.int(4)) {
    case 0:
      return `${r.pick(PEOPLE)} of ${r.pick(ORGS)} ${r.pick(VERBS)} plans for ${r.pick(TOPICS)} in ${r.pick(PLACES)} ${r.pick(TAILS)}`;
    case 1:
      return `In ${r.pick(PLACES)}, ${r.pick(ORGS)} said that spending on ${r.pick(TOPICS)} would reach ${n} million euros by ${2025 + r.int(6)}.`;
    case 2:
      return `"We cannot wait any longer on ${r.pick(TOPICS)}," said ${r.pick(PEOPLE)}, speaking to reporters in ${r.pick(PLACES)}.`;
    default:
      return `Officials ${r.pick(VERBS)} the figures on ${r.pick(TOPICS)}, which showed ${n % 97} incidents in ${r.pick(PLACES)} since ${1 + r.int(28)} March.`;
  }
}

/** A small document: an optional headline, then two to four short paragraphs. */
export function makeDocument(r: Rng, i: number): string {
  const parts: string[] = [];
  if (r.int(2) === 0) parts.push(`${r.pick(PLACES)}: ${r.pick(TOPICS)} (${i})`);
  const paragraphs = 2 + r.int(3);
  for (let p = 0; p < paragraphs; p++) {
    const sentences = 1 + r.int(3);
    parts.push(Array.from({ length: sentences }, () => sentence(r)).join(' '));
  }
  parts.push(`Reference ${i}-${r.int(1e9).toString(36)}.`);
  return parts.join('\n\n') + '\n';
}

/**
 * Writes `n` documents into `dir` (in sub-folders of 250), of which `dups` are exact copies of
 * earlier files under another name. Returns the relative paths written.
 */
export function writeDrop(dir: string, n: number, o: { seed?: number; dups?: number } = {}): string[] {
  const r = prng(o.seed ?? 1);
  const dups = o.dups ?? 0;
  const rels: string[] = [];
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const rel = `part${String(Math.floor(i / 250)).padStart(2, '0')}/doc-${String(i).padStart(5, '0')}.txt`;
    let text: string;
    if (i >= n - dups && texts.length > 0) text = texts[r.int(texts.length)]!;
    else text = makeDocument(r, i);
    texts.push(text);
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
    rels.push(rel);
  }
  return rels;
}

export interface Accounting {
  documents: Array<Record<string, any>>;
  rejected: Array<Record<string, any>>;
  /** raw non-empty lines of documents.jsonl and rejected.jsonl */
  lines: string[];
}

/** Reads an output folder, failing on any line that is not whole JSON. */
export function readAccounting(outDir: string): Accounting {
  const read = (f: string) => {
    const file = path.join(outDir, f);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  };
  const docLines = read('documents.jsonl');
  const rejLines = read('rejected.jsonl');
  return {
    documents: docLines.map((l) => JSON.parse(l)),
    rejected: rejLines.map((l) => JSON.parse(l)),
    lines: [...docLines, ...rejLines],
  };
}

/**
 * The promise of the pipeline: every file of the drop is in documents.jsonl or rejected.jsonl,
 * exactly once, and nothing else is. Returns the problems found (empty when all is well).
 */
export async function accountingProblems(dropDir: string, outDir: string): Promise<string[]> {
  const expected = (await listDrop(dropDir)).map((e) => e.rel);
  const acc = readAccounting(outDir);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const d of acc.documents) seen.set(d.source.path, (seen.get(d.source.path) ?? 0) + 1);
  for (const r of acc.rejected) seen.set(r.path, (seen.get(r.path) ?? 0) + 1);
  const want = new Set(expected);
  for (const p of expected) {
    const n = seen.get(p) ?? 0;
    if (n !== 1) problems.push(`${JSON.stringify(p)} appears ${n} times`);
  }
  for (const p of seen.keys()) if (!want.has(p)) problems.push(`${JSON.stringify(p)} is in the output but not in the drop`);
  if (new Set(acc.lines).size !== acc.lines.length) problems.push('duplicate lines');
  const ids = acc.documents.map((d) => d.id);
  if (new Set(ids).size !== ids.length) problems.push('a document id appears twice in documents.jsonl');
  return problems.slice(0, 20);
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `textmill <args>` as a real process (stdout and stderr collected). */
export function startTextmill(args: string[], env: Record<string, string | undefined> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TEXTMILL_LOG_LEVEL: 'info', CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the exit status, or kills the process (SIGKILL) and throws after `ms`. */
export async function exitWithin(p: Proc, ms: number, what = 'textmill'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${ms} ms; stderr tail:\n${p.stderr().slice(-2000)}`));
    }, ms);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills a process if it still runs (for finally blocks). */
export function ensureDead(p: Proc | undefined): void {
  if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

/** Polls `check` until it is true or `ms` passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lines in documents.jsonl + rejected.jsonl so far (cheap progress probe). */
export function outputLineCount(outDir: string): number {
  let n = 0;
  for (const f of ['documents.jsonl', 'rejected.jsonl']) {
    const file = path.join(outDir, f);
    if (!existsSync(file)) continue;
    const s = readFileSync(file, 'utf8');
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  }
  return n;
}

/** Removes a test namespace's keys (the Redis may be shared: only our own prefixes). */
export async function dropNamespace(url: string, ns: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    for (const pattern of [`textmill:{${ns}}:*`, `tm:{${ns}}:*`, `*{${ns}}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } catch {
    // a Redis the test stopped on purpose: nothing to clean
  } finally {
    redis.disconnect();
  }
}

/** Starts redis-server with exactly these arguments; resolves when its port answers. */
export async function startRedisProcess(port: number, args: string[]): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], { stdio: 'ignore' });
  const { connect } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    const deadline = Date.now() + 15_000;
    const probe = () => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error('redis-server did not start within 15 s'));
        else setTimeout(probe, 50);
      });
    };
    probe();
  });
  proc.removeAllListeners('exit');
  return proc;
}

/** Stops a redis-server process (SIGKILL or SIGTERM) and waits for it to exit. */
export async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}
