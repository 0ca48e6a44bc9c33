// Groups the documents a producer hands to the clean stage into batches, one BullMQ job each.
// Every job costs the same Redis round trips and Lua scripts whatever it carries (add, take,
// finish: ~0.4 ms of Redis CPU and as much again in each Node process, at each of the five
// stages), and on a 1-10 KB document that fixed cost was as large as the stages' own work.
// A batch pays it once for up to `maxItems` documents.

export interface BatcherOptions<T> {
  /** a batch goes as soon as it holds this many items */
  maxItems: number;
  /** ... or this many bytes (one large file does not wait for seven more) */
  maxBytes: number;
  /** ... or when its first item has waited this long (watch mode, the end of a drop) */
  maxWaitMs: number;
  bytes(item: T): number;
  send(items: T[]): Promise<void>;
}

interface Pending<T> {
  items: T[];
  bytes: number;
  timer: NodeJS.Timeout;
  done: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

export class Batcher<T> {
  private pending: Pending<T> | null = null;

  constructor(private readonly o: BatcherOptions<T>) {}

  /** Resolves once the batch holding the item is sent; rejects when sending it failed. */
  add(item: T): Promise<void> {
    const p = this.pending ?? this.open();
    p.items.push(item);
    p.bytes += this.o.bytes(item);
    const done = p.done;
    if (p.items.length >= this.o.maxItems || p.bytes >= this.o.maxBytes) void this.flush();
    return done;
  }

  /** Sends what is waiting now (a no-op when nothing is). */
  flush(): Promise<void> {
    const p = this.pending;
    if (!p) return Promise.resolve();
    this.pending = null;
    clearTimeout(p.timer);
    this.o.send(p.items).then(p.resolve, p.reject);
    return p.done;
  }

  /** Drops what waits, unsent (a run that stops on an error): its callers see `reason`. */
  cancel(reason: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(reason);
  }

  private open(): Pending<T> {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // whoever added an item sees a failure; this only keeps an unawaited batch from
    // becoming an unhandled rejection
    done.catch(() => {});
    const timer = setTimeout(() => void this.flush(), this.o.maxWaitMs);
    this.pending = { items: [], bytes: 0, timer, done, resolve, reject };
    return this.pending;
  }
}
