import { describe, expect, it } from 'vitest';
import { packPayload, unpackPayload } from '../src/pipeline/wire.js';
import { cleanDocFromLines } from '../src/synth/generate.js';
import { CleanDoc } from '../src/shared/schemas.js';

const doc = cleanDocFromLines(
  [
    { kind: 'heading' as const, text: 'Water for the northern district' },
    { kind: 'paragraph' as const, text: 'The minister opened the new water treatment plant on Monday morning.' },
    { kind: 'paragraph' as const, text: 'Officials said it would serve forty thousand households.' },
  ],
  'a.txt',
);

describe('job payloads on the wire', () => {
  it('leave out segment texts that are slices of the document text, and put them back', () => {
    // packPayload works in place: it gets a copy, and doc stays the reference
    const packed = packPayload(structuredClone(doc)) as { segments: { text?: string }[] };
    expect(packed.segments.every((s) => s.text === undefined)).toBe(true);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(doc).length - doc.segments.reduce((n, s) => n + s.text.length, 0) + 1);
    const back = unpackPayload(JSON.parse(JSON.stringify(packed)));
    expect(back).toEqual(doc);
    expect(CleanDoc.parse(back)).toEqual(doc);
  });

  it('do the same inside a write record, and keep a segment text that is not a slice', () => {
    const odd = { ...doc, segments: doc.segments.map((s, i) => (i === 1 ? { ...s, text: 'not the slice' } : s)) };
    const record = { type: 'document', doc: odd };
    const packed = packPayload(structuredClone(record)) as { type: string; doc: { segments: { text?: string }[] } };
    expect(packed.type).toBe('document');
    expect(packed.doc.segments.map((s) => s.text)).toEqual([undefined, 'not the slice', undefined]);
    expect(unpackPayload(JSON.parse(JSON.stringify(packed)))).toEqual(record);
  });

  it('leave out entity mention texts that are slices, keep one that is not, and put them back', () => {
    const at = (w: string) => ({ text: w, start: doc.text.indexOf(w), end: doc.text.indexOf(w) + w.length });
    const entities = [
      { type: 'ORG', name: 'the minister', mentions: [at('minister')] },
      { type: 'NUMBER', name: '40000', value: '40000', mentions: [at('forty thousand'), { text: 'not the slice', start: 0, end: 3 }] },
    ];
    const withEntities = { ...doc, entities, analysis: [] };
    const packed = packPayload(structuredClone({ type: 'document', doc: withEntities })) as { doc: { entities: { mentions: { text?: string }[] }[] } };
    expect(packed.doc.entities.map((e) => e.mentions.map((m) => m.text))).toEqual([[undefined], [undefined, 'not the slice']]);
    expect(JSON.stringify(packed)).not.toContain('forty thousand"');
    expect(unpackPayload(JSON.parse(JSON.stringify(packed)))).toEqual({ type: 'document', doc: withEntities });
  });

  it('leave payloads without segments, and payloads written with every text, as they are', () => {
    const input = { id: doc.id, source: doc.source, rawText: 'x', flags: [] };
    expect(packPayload(input)).toBe(input);
    expect(unpackPayload(doc)).toBe(doc);
    const rejection = { type: 'rejected', rejection: { path: 'a.txt', code: 'empty', message: 'The file is empty.' } };
    expect(unpackPayload(packPayload(structuredClone(rejection)))).toEqual(rejection);
  });
});
