// What an output folder already holds, so that the sink stays idempotent: document id -> path
// of documents.jsonl, and the paths of rejected.jsonl. In memory for inline runs; in Redis when
// several write workers (perhaps in several processes) share one output folder.
//
// A document is first marked "pending", then appended, then marked "written". A writer killed
// between the two marks leaves "pending" behind; the retry then looks in the file itself
// before appending, so a crash never yields a second line.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { key } from '../../shared/queues.js';

export type Claim =
  | { state: 'new' }
  | { state: 'written'; path: string }
  /** an earlier attempt claimed it at `since` (ms) and may or may not have appended its line */
  | { state: 'pending'; path: string; since: number };

export interface Ledger {
  claimDocument(id: string, path: string): Promise<Claim>;
  markWritten(id: string, path: string): Promise<void>;
  /** 'new' when the path was not yet rejected (and is now claimed) */
  claimRejected(path: string): Promise<'new' | 'written' | 'pending'>;
  markRejected(path: string): Promise<void>;
  hasRejected(path: string): Promise<boolean>;
  documentPath(id: string): Promise<string | null>;
  load(docs: Array<[id: string, path: string]>, rejected: string[]): Promise<void>;
}

export class MemoryLedger implements Ledger {
  private docs = new Map<string, { path: string; written: boolean; since: number }>();
  private rejected = new Map<string, boolean>();

  async claimDocument(id: string, p: string): Promise<Claim> {
    const cur = this.docs.get(id);
    if (!cur) {
      this.docs.set(id, { path: p, written: false, since: Date.now() });
      return { state: 'new' };
    }
    // One process holds a memory ledger and its sink runs writes of one id one after the
    // other, so a pending claim seen here is always a failed attempt's: stale at once.
    return cur.written ? { state: 'written', path: cur.path } : { state: 'pending', path: cur.path, since: 0 };
  }
  async markWritten(id: string, p: string) {
    this.docs.set(id, { path: p, written: true, since: 0 });
  }
  async claimRejected(p: string) {
    const cur = this.rejected.get(p);
    if (cur === undefined) {
      this.rejected.set(p, false);
      return 'new' as const;
    }
    return cur ? ('written' as const) : ('pending' as const);
  }
  async markRejected(p: string) {
    this.rejected.set(p, true);
  }
  async hasRejected(p: string) {
    return this.rejected.has(p);
  }
  async documentPath(id: string) {
    return this.docs.get(id)?.path ?? null;
  }
  async load(docs: Array<[string, string]>, rejected: string[]) {
    for (const [id, p] of docs) this.docs.set(id, { path: p, written: true, since: 0 });
    for (const p of rejected) this.rejected.set(p, true);
  }
}

/** Keys of one output folder's ledger: the folder's absolute path, hashed. */
export function ledgerKeys(namespace: string, outDir: string) {
  const h = createHash('sha1').update(path.resolve(outDir)).digest('hex').slice(0, 16);
  return { docs: key(namespace, 'out', h, 'docs'), rejected: key(namespace, 'out', h, 'rejected') };
}

const PENDING = 'P|';
const WRITTEN = 'W|';

export class RedisLedger implements Ledger {
  private keys: { docs: string; rejected: string };
  constructor(
    private redis: Redis,
    namespace: string,
    outDir: string,
  ) {
    this.keys = ledgerKeys(namespace, outDir);
  }

  async claimDocument(id: string, p: string): Promise<Claim> {
    // HSETNX makes the claim atomic across processes.
    const set = await this.redis.hsetnx(this.keys.docs, id, `${PENDING}${Date.now()}|${p}`);
    if (set === 1) return { state: 'new' };
    const cur = (await this.redis.hget(this.keys.docs, id)) ?? '';
    if (cur.startsWith(WRITTEN)) return { state: 'written', path: cur.slice(2) };
    const bar = cur.indexOf('|', 2);
    return { state: 'pending', path: cur.slice(bar + 1), since: Number(cur.slice(2, bar)) };
  }
  async markWritten(id: string, p: string) {
    await this.redis.hset(this.keys.docs, id, WRITTEN + p);
  }
  async claimRejected(p: string) {
    if ((await this.redis.hsetnx(this.keys.rejected, p, 'P')) === 1) return 'new' as const;
    return (await this.redis.hget(this.keys.rejected, p)) === 'W' ? ('written' as const) : ('pending' as const);
  }
  async markRejected(p: string) {
    await this.redis.hset(this.keys.rejected, p, 'W');
  }
  async hasRejected(p: string) {
    return (await this.redis.hexists(this.keys.rejected, p)) === 1;
  }
  async documentPath(id: string) {
    const cur = await this.redis.hget(this.keys.docs, id);
    if (!cur) return null;
    return cur.startsWith(WRITTEN) ? cur.slice(2) : cur.slice(cur.indexOf('|', 2) + 1);
  }
  async reset() {
    await this.redis.del(this.keys.docs, this.keys.rejected);
  }
  async load(docs: Array<[string, string]>, rejected: string[]) {
    for (let i = 0; i < docs.length; i += 1000) {
      const chunk = docs.slice(i, i + 1000).flatMap(([id, p]) => [id, WRITTEN + p]);
      await this.redis.hset(this.keys.docs, ...chunk);
    }
    for (let i = 0; i < rejected.length; i += 1000) {
      await this.redis.hset(this.keys.rejected, ...rejected.slice(i, i + 1000).flatMap((p) => [p, 'W']));
    }
  }
}
