// Watching a folder for new files. A file is handed on once its size and modification time
// have stayed the same for `stableMs` (a file still being copied keeps changing), or at the
// first scan when `stableMs` is 0 (for producers that write elsewhere and rename atomically
// into the folder). Names that tools use while writing (".name", "*.part", "*.tmp",
// "*.crdownload", "*~") are left alone until they are renamed. Polling rather than inotify:
// it works the same on network filesystems and never misses an event.
import { lstat } from 'node:fs/promises';
import { walkDrop, type DropEntry } from './scan.js';

export interface WatchOptions {
  dir: string;
  stableMs: number;
  intervalMs: number;
  /** paths (relative, / separators) that need no work, e.g. already in the output folder */
  known: Set<string>;
  onFile(entry: DropEntry): Promise<void>;
  /** called after a scan that handed on at least one file */
  onBatch?(): Promise<void>;
  signal: AbortSignal;
}

const IN_PROGRESS = /(^|\/)\.[^/]*$|\.(part|tmp|crdownload)$|~$/;

export function isInProgressName(rel: string): boolean {
  return IN_PROGRESS.test(rel);
}

export async function watchFolder(o: WatchOptions): Promise<void> {
  const seen = new Map<string, { size: number; mtimeMs: number; since: number }>();
  while (!o.signal.aborted) {
    let handed = 0;
    for await (const entry of walkDrop(o.dir)) {
      if (o.signal.aborted) break;
      if (o.known.has(entry.rel) || isInProgressName(entry.rel)) continue;
      let ready = entry.kind === 'symlink';
      if (!ready) {
        const st = await lstat(entry.abs).catch(() => null);
        if (!st) continue; // gone since the scan
        const now = Date.now();
        const prev = seen.get(entry.rel);
        if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
          seen.set(entry.rel, { size: st.size, mtimeMs: st.mtimeMs, since: now });
          ready = o.stableMs === 0;
        } else {
          ready = now - prev.since >= o.stableMs;
        }
      }
      if (!ready) continue;
      o.known.add(entry.rel);
      seen.delete(entry.rel);
      await o.onFile(entry);
      handed++;
    }
    if (handed > 0) await o.onBatch?.();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.intervalMs);
      o.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
  }
}
