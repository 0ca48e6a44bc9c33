import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../src/shared/config.js';
import { SetupError } from '../src/shared/errors.js';
import { indexOptions } from '../src/pipeline/resources.js';
import { dedup } from '../src/workers/dedup/dedup.js';
import { createMemoryIndex } from '../src/workers/dedup/index-memory.js';
import { cleanDocFromLines } from '../src/synth/generate.js';

describe('settings: the near-duplicate threshold', () => {
  it('is unset by default, read from TEXTMILL_DEDUP_THRESHOLD, and a flag wins over it', () => {
    expect(resolveSettings({}, {}).dedupThreshold).toBeUndefined();
    expect(resolveSettings({}, { TEXTMILL_DEDUP_THRESHOLD: '0.7' }).dedupThreshold).toBe(0.7);
    expect(resolveSettings({ dedupThreshold: '0.8' }, { TEXTMILL_DEDUP_THRESHOLD: '0.7' }).dedupThreshold).toBe(0.8);
  });

  it('refuses values outside (0, 1] with a bad-config error naming the setting', () => {
    for (const bad of ['0', '1.5', 'high']) {
      let err: unknown;
      try {
        resolveSettings({ dedupThreshold: bad }, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SetupError);
      expect((err as SetupError).code).toBe('bad-config');
      expect((err as SetupError).message).toMatch(/dedupThreshold/);
    }
  });

  it('decides whether a reworded paragraph is linked', async () => {
    const a =
      'The council met in Geneva to discuss the humanitarian situation in the region, and delegates heard reports on food insecurity and displacement.';
    const b =
      'The council met in Vienna to review the humanitarian situation in the region, and delegates heard long reports on hunger and displacement.';
    const linkedAt = async (threshold: string) => {
      const index = createMemoryIndex('t', indexOptions(resolveSettings({ dedupThreshold: threshold }, {})));
      await dedup(cleanDocFromLines([{ kind: 'paragraph', text: a }], 'a.txt'), index);
      const out = await dedup(cleanDocFromLines([{ kind: 'paragraph', text: b }], 'b.txt'), index);
      return out.segments[0]!.duplicateOf !== null;
    };
    expect(await linkedAt('0.4')).toBe(true);
    expect(await linkedAt('0.9')).toBe(false);
  });
});
