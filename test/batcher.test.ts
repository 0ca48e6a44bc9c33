// The producer's batches (src/pipeline/batcher.ts): when a batch goes, and what its callers see.
import { describe, expect, it } from 'vitest';
import { Batcher } from '../src/pipeline/batcher.js';

function recorder(o: { maxItems?: number; maxBytes?: number; maxWaitMs?: number; fail?: boolean } = {}) {
  const sent: string[][] = [];
  const b = new Batcher<string>({
    maxItems: o.maxItems ?? 3,
    maxBytes: o.maxBytes ?? 1000,
    maxWaitMs: o.maxWaitMs ?? 10_000,
    bytes: (s) => s.length,
    send: async (items) => {
      if (o.fail) throw new Error('Redis is away');
      sent.push(items);
    },
  });
  return { b, sent };
}

describe('Batcher', () => {
  it('sends a batch as soon as it holds maxItems items, in the order they came', async () => {
    const { b, sent } = recorder({ maxItems: 3 });
    const done = ['a', 'b', 'c', 'd'].map((x) => b.add(x));
    await Promise.all(done.slice(0, 3));
    expect(sent).toEqual([['a', 'b', 'c']]);
    await b.flush();
    await done[3];
    expect(sent).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('sends a batch that reaches maxBytes with fewer items', async () => {
    const { b, sent } = recorder({ maxItems: 10, maxBytes: 5 });
    await Promise.all([b.add('abc'), b.add('defg')]);
    expect(sent).toEqual([['abc', 'defg']]);
  });

  it('sends a batch that is not full once its first item has waited maxWaitMs', async () => {
    const { b, sent } = recorder({ maxItems: 10, maxWaitMs: 30 });
    const t0 = Date.now();
    await b.add('lone');
    expect(sent).toEqual([['lone']]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('makes every caller of a batch that could not be sent see the error', async () => {
    const { b } = recorder({ maxItems: 2, fail: true });
    const results = await Promise.allSettled([b.add('a'), b.add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('Redis is away');
  });

  it('drops what waits on cancel, unsent, and its callers see why', async () => {
    const { b, sent } = recorder({ maxItems: 10, maxWaitMs: 20 });
    const pending = b.add('late');
    b.cancel(new Error('the run stopped'));
    await expect(pending).rejects.toThrow('the run stopped');
    await new Promise((r) => setTimeout(r, 40)); // past the timer: nothing goes
    expect(sent).toEqual([]);
    await b.add('next'); // a new batch after it still goes
    expect(sent).toEqual([['next']]);
  });

  it('flushes nothing when nothing waits', async () => {
    const { b, sent } = recorder();
    await b.flush();
    expect(sent).toEqual([]);
  });
});
