// Types and helpers shared by the benchmark's processes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Manifest } from '../src/shared/schemas.js';
import type { IndexStats } from '../src/workers/dedup/index-types.js';

export type Mode = 'inline' | 'local' | 'produce' | 'readdoc' | 'noop';

export interface ScenarioArgs {
  mode: Mode;
  dropDir: string;
  outDir: string;
  namespace: string;
  redisUrl?: string;
  concurrency?: number;
}

export interface ScenarioResult {
  elapsedMs: number;
  files: number;
  manifest?: Manifest;
  latenciesMs?: number[];
  index?: IndexStats;
  maxRssBytes: number;
  /** user + system CPU time of the scenario process */
  cpuMs: number;
}

/** Every file of a drop, in a stable order. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Peak resident set of a live process (VmHWM), in bytes; null when it is gone. */
export function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * User + system CPU time of a live process (utime + stime of /proc/<pid>/stat, in clock ticks
 * of 1/100 s on Linux), in ms; null when it is gone.
 */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), which ends at the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** CPU milliseconds a Redis server has used so far (INFO cpu, user + system); 0 without one. */
export async function redisCpuMs(redis: Redis | null): Promise<number> {
  if (!redis) return 0;
  const info = await redis.info('cpu');
  const num = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (num('used_cpu_user') + num('used_cpu_sys')) * 1000;
}
