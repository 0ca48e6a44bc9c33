// What travels with every job besides the document: which run it belongs to and where that
// run writes. Workers on other machines need the same output path (a shared filesystem).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const RunCtx = z.object({
  run: z.string().regex(/^[A-Za-z0-9_-]+$/),
  outDir: z.string().min(1),
  version: z.string(),
  /** payload format of the producer (wire.ts WIRE_FORMAT); absent in jobs of older producers */
  wire: z.number().int().min(1).optional(),
});
export type RunCtx = z.infer<typeof RunCtx>;

/** Sortable, readable, and free of ':' (BullMQ job ids may not contain it). */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
