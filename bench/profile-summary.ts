// Summarises a .cpuprofile (node --cpu-prof): self time per function (file:line), top N,
// and self time per file. Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [N]
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  fn: string;
  where: string;
  selfMs: number;
  share: number;
}

/**
 * tsx hands V8 transformed code, so functions of our own .ts files are all reported at line 1:
 * find the line of the function's definition in the source instead (first match).
 */
const sourceCache = new Map<string, string[]>();
function definitionLine(file: string, fn: string, reported: number): number {
  if (reported > 1 || !file.endsWith('.ts') || !fn || fn.startsWith('(')) return reported;
  let lines = sourceCache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceCache.set(file, lines);
  }
  const name = fn.replace(/^.*\./, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const def = new RegExp(`(function\\*?\\s+${name}\\b|\\b${name}\\s*[=:]\\s*(async\\s*)?(\\(|function|[a-z_]+\\s*=>)|^\\s*(async\\s+|private\\s+|static\\s+|get\\s+)*${name}\\s*(<[^>]*>)?\\()`);
  const i = lines.findIndex((l) => def.test(l));
  return i === -1 ? reported : i + 1;
}

const isOwn = (url: string) => url.includes('/src/') && !url.includes('/node_modules/') && !url.startsWith('node:');

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const cwd = process.cwd() + path.sep;
  if (u.startsWith(cwd)) return u.slice(cwd.length);
  return u || '(native)';
}

export function summarise(file: string, top = 25): { totalMs: number; functions: HotSpot[]; files: HotSpot[]; ownCode: HotSpot[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fns = new Map<string, HotSpot>();
  // Time charged to the nearest frame of our own code (src/) on the stack: a library's or
  // node's time goes to the function of ours that called it.
  const own = new Map<string, HotSpot>();
  const files = new Map<string, HotSpot>();
  for (const [id, ms] of self) {
    const cf = byId.get(id)!.callFrame;
    const file = cf.url.replace(/^file:\/\//, '');
    const where = cf.url ? `${shortUrl(cf.url)}:${definitionLine(file, cf.functionName, cf.lineNumber + 1)}` : '(native)';
    const fn = cf.functionName || '(anonymous)';
    const k = `${fn} ${where}`;
    const f = fns.get(k) ?? { fn, where, selfMs: 0, share: 0 };
    f.selfMs += ms;
    fns.set(k, f);
    let at: number | undefined = id;
    while (at !== undefined && !isOwn(byId.get(at)!.callFrame.url)) at = parent.get(at);
    if (at !== undefined) {
      const of = byId.get(at)!.callFrame;
      const ofn = of.functionName || '(anonymous)';
      const ow = `${shortUrl(of.url)}:${definitionLine(of.url.replace(/^file:\/\//, ''), of.functionName, of.lineNumber + 1)}`;
      const o = own.get(`${ofn} ${ow}`) ?? { fn: ofn, where: ow, selfMs: 0, share: 0 };
      o.selfMs += ms;
      own.set(`${ofn} ${ow}`, o);
    }
    const fk = cf.url ? shortUrl(cf.url).replace(/node_modules\/((@[^/]+\/)?[^/]+)\/.*/, 'node_modules/$1') : fn;
    const g = files.get(fk) ?? { fn: '', where: fk, selfMs: 0, share: 0 };
    g.selfMs += ms;
    files.set(fk, g);
  }
  const rank = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .map((h) => ({ ...h, selfMs: Math.round(h.selfMs), share: Math.round((h.selfMs / total) * 1000) / 10 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top);
  return { totalMs: Math.round(total), functions: rank(fns), files: rank(files), ownCode: rank(own) };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('profile-summary.ts')) {
  const args = process.argv.slice(2);
  const n = args.find((a) => /^\d+$/.test(a));
  // the largest profile when several are given (node --cpu-prof writes one per thread)
  const file = args.filter((a) => a.endsWith('.cpuprofile')).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!file) {
    console.error('usage: profile-summary <file.cpuprofile>... [N]');
    process.exit(2);
  }
  console.log(`profile ${file}`);
  const s = summarise(file, Number(n ?? 25));
  console.log(`total sampled ${s.totalMs} ms\n\nself time by function:`);
  for (const h of s.functions) console.log(`${String(h.selfMs).padStart(7)} ms ${String(h.share).padStart(5)}%  ${h.fn}  ${h.where}`);
  console.log('\ntime charged to the nearest function of src/ on the stack (its own and the libraries it calls):');
  for (const h of s.ownCode) console.log(`${String(h.selfMs).padStart(7)} ms ${String(h.share).padStart(5)}%  ${h.fn}  ${h.where}`);
  console.log('\nself time by file / package:');
  for (const h of s.files) console.log(`${String(h.selfMs).padStart(7)} ms ${String(h.share).padStart(5)}%  ${h.where}`);
}
