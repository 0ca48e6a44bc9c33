// What an output folder already holds, so that the sink stays idempotent: document id -> path
// of documents.jsonl, and the paths of rejected.jsonl. In memory for inline runs; in Redis when
// several write workers (perhaps in several processes) share one output folder.
//
// A document is first marked "pending", then appended, then marked "written". A writer killed
// between the two marks leaves "pending" behind; the retry then looks in the file itself
// before appending, so a crash never yields a second line.
//
// A pending claim carries its writer's token and the time it was made or last renewed. Another
// writer takes a claim over only once it is stale, and atomically (one taker wins); the writer
// that made it renews it before a late append and gives up when it is no longer its own (it
// was stopped, or its event loop blocked, for longer than the stale time).
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { key } from '../../shared/queues.js';

export type Claim =
  /** claimed now, under `token` */
  | { state: 'new'; token: string }
  | { state: 'written'; path: string }
  /** an earlier attempt claimed it at `since` (ms) and may or may not have appended its line */
  | { state: 'pending'; path: string; since: number; raw: string };

export type PendingClaim = Extract<Claim, { state: 'pending' }>;

export interface Ledger {
  claimDocument(id: string, path: string): Promise<Claim>;
  /** Makes a stale pending claim this writer's, unless another writer changed it first: the new token, or null. */
  takeOver(id: string, stale: PendingClaim, path: string): Promise<string | null>;
  /** Renews this writer's claim at `now`: false when it is no longer its own (taken over, or written). */
  renew(id: string, token: string, path: string, now: number): Promise<boolean>;
  markWritten(id: string, path: string): Promise<void>;
  /** 'new' when the path was not yet rejected (and is now claimed) */
  claimRejected(path: string): Promise<'new' | 'written' | 'pending'>;
  markRejected(path: string): Promise<void>;
  hasRejected(path: string): Promise<boolean>;
  documentPath(id: string): Promise<string | null>;
  load(docs: Array<[id: string, path: string]>, rejected: string[]): Promise<void>;
}

/** A claim's token: which writer made it. */
const newToken = () => randomBytes(6).toString('hex');

export class MemoryLedger implements Ledger {
  private docs = new Map<string, { path: string; written: boolean; token: string }>();
  private rejected = new Map<string, boolean>();

  async claimDocument(id: string, p: string): Promise<Claim> {
    const cur = this.docs.get(id);
    if (!cur) {
      const token = newToken();
      this.docs.set(id, { path: p, written: false, token });
      return { state: 'new', token };
    }
    // One process holds a memory ledger and its sink runs writes of one id one after the
    // other, so a pending claim seen here is always a failed attempt's: stale at once.
    return cur.written ? { state: 'written', path: cur.path } : { state: 'pending', path: cur.path, since: 0, raw: cur.token };
  }
  async takeOver(id: string, stale: PendingClaim, p: string) {
    const cur = this.docs.get(id);
    if (!cur || cur.written || cur.token !== stale.raw) return null;
    const token = newToken();
    this.docs.set(id, { path: p, written: false, token });
    return token;
  }
  async renew(id: string, token: string) {
    const cur = this.docs.get(id);
    return !!cur && !cur.written && cur.token === token;
  }
  async markWritten(id: string, p: string) {
    this.docs.set(id, { path: p, written: true, token: '' });
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
    for (const [id, p] of docs) this.docs.set(id, { path: p, written: true, token: '' });
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
/** "P|<since ms>|<token>|<path>"; claims written before tokens are "P|<since ms>|<path>" */
const PENDING_VALUE = /^P\|(\d+)\|(?:([0-9a-f]{12})\|)?/;
const pendingValue = (since: number, token: string, p: string) => `${PENDING}${since}|${token}|${p}`;

// Compare-and-set of one hash field: the claim is replaced only if it is still what the caller saw.
const REPLACE_IF = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0`;
// Renewal: the claim keeps its token and path and gets a new time, if it still carries the token.
const RENEW = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.match(v, '^P|%d+|(%x+)|') == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end
return 0`;

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
    const token = newToken();
    const set = await this.redis.hsetnx(this.keys.docs, id, pendingValue(Date.now(), token, p));
    if (set === 1) return { state: 'new', token };
    const cur = (await this.redis.hget(this.keys.docs, id)) ?? '';
    if (cur.startsWith(WRITTEN)) return { state: 'written', path: cur.slice(2) };
    const m = PENDING_VALUE.exec(cur);
    return { state: 'pending', path: m ? cur.slice(m[0].length) : '', since: m ? Number(m[1]) : 0, raw: cur };
  }
  async takeOver(id: string, stale: PendingClaim, p: string) {
    const token = newToken();
    const done = await this.redis.eval(REPLACE_IF, 1, this.keys.docs, id, stale.raw, pendingValue(Date.now(), token, p));
    return done === 1 ? token : null;
  }
  async renew(id: string, token: string, p: string, now: number) {
    return (await this.redis.eval(RENEW, 1, this.keys.docs, id, token, pendingValue(now, token, p))) === 1;
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
    if (cur.startsWith(WRITTEN)) return cur.slice(2);
    const m = PENDING_VALUE.exec(cur);
    return m ? cur.slice(m[0].length) : null;
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
