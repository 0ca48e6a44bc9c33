// Why a run must stop before every file is accounted for: set by whichever process (a worker
// on another machine, or this one) finds that it cannot write even a file's rejected.jsonl
// line, read by the process that waits for the run (`run`, `produce`, `watch`), which then ends
// with that sentence instead of waiting forever. The first reason wins. In memory for inline
// runs; one Redis key (expiring after a week) otherwise.
import type { Redis } from 'ioredis';
import { key } from '../shared/queues.js';

export interface RunStop {
  set(reason: string): Promise<void>;
  get(): Promise<string | null>;
}

export class MemoryRunStop implements RunStop {
  private reason: string | null = null;
  async set(reason: string) {
    this.reason ??= reason;
  }
  async get() {
    return this.reason;
  }
}

const TTL = 7 * 24 * 3600;

export class RedisRunStop implements RunStop {
  private k: string;
  constructor(
    private redis: Redis,
    namespace: string,
    run: string,
  ) {
    this.k = key(namespace, 'run', run, 'stop');
  }
  async set(reason: string) {
    await this.redis.set(this.k, reason, 'EX', TTL, 'NX');
  }
  async get() {
    return this.redis.get(this.k);
  }
}
