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
  /** an earlier attempt claimed it and may or may not have appended its line */
  | { state: 'pending'; path: string };

export interface Ledger {
  claimDocument(id: string, path: string): Promise<Claim>;
  markWritten(id: string, path: string): Promise<void>;
  /** true when the path was not yet rejected (and is now recorded) */
  claimRejected(path: string): Promise<boolean>;
  hasRejected(path: string): Promise<boolean>;
  documentPath(id: string): Promise<string | null>;
  load(docs: Array<[id: string, path: string]>, rejected: string[]): Promise<void>;
}

export class MemoryLedger implements Ledger {
  private docs = new Map<string, { path: string; written: boolean }>();
  private rejected = new Set<string>();

  async claimDocument(id: string, p: string): Promise<Claim> {
    const cur = this.docs.get(id);
    if (!cur) {
      this.docs.set(id, { path: p, written: false });
      return { state: 'new' };
    }
    return cur.written ? { state: 'written', path: cur.path } : { state: 'pending', path: cur.path };
  }
  async markWritten(id: string, p: string) {
    this.docs.set(id, { path: p, written: true });
  }
  async claimRejected(p: string) {
    if (this.rejected.has(p)) return false;
    this.rejected.add(p);
    return true;
  }
  async hasRejected(p: string) {
    return this.rejected.has(p);
  }
  async documentPath(id: string) {
    return this.docs.get(id)?.path ?? null;
  }
  async load(docs: Array<[string, string]>, rejected: string[]) {
    for (const [id, p] of docs) this.docs.set(id, { path: p, written: true });
    for (const p of rejected) this.rejected.add(p);
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
    const set = await this.redis.hsetnx(this.keys.docs, id, PENDING + p);
    if (set === 1) return { state: 'new' };
    const cur = (await this.redis.hget(this.keys.docs, id)) ?? '';
    const curPath = cur.slice(2);
    return cur.startsWith(WRITTEN) ? { state: 'written', path: curPath } : { state: 'pending', path: curPath };
  }
  async markWritten(id: string, p: string) {
    await this.redis.hset(this.keys.docs, id, WRITTEN + p);
  }
  async claimRejected(p: string) {
    return (await this.redis.sadd(this.keys.rejected, p)) === 1;
  }
  async hasRejected(p: string) {
    return (await this.redis.sismember(this.keys.rejected, p)) === 1;
  }
  async documentPath(id: string) {
    const cur = await this.redis.hget(this.keys.docs, id);
    return cur ? cur.slice(2) : null;
  }
  async reset() {
    await this.redis.del(this.keys.docs, this.keys.rejected);
  }
  async load(docs: Array<[string, string]>, rejected: string[]) {
    for (let i = 0; i < docs.length; i += 1000) {
      const chunk = docs.slice(i, i + 1000).flatMap(([id, p]) => [id, WRITTEN + p]);
      await this.redis.hset(this.keys.docs, ...chunk);
    }
    for (let i = 0; i < rejected.length; i += 1000) await this.redis.sadd(this.keys.rejected, ...rejected.slice(i, i + 1000));
  }
}
