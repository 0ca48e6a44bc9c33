import type { Manifest } from '../shared/schemas.js';

/** The closing summary of a run, for people. */
export function formatSummary(m: Manifest, outDir: string): string {
  const c = m.counts;
  const byCode = Object.entries(c.rejectedByCode)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `textmill ${m.version} run ${m.run} (${m.transport}, namespace ${m.namespace})`,
    `  files       ${c.files}`,
    `  documents   ${c.documents}${c.unchanged ? ` (+${c.unchanged} already in the output)` : ''}`,
    `  rejected    ${c.rejected}${byCode ? ` (${byCode})` : ''}`,
    `  segments    ${c.segments}, of which duplicates ${c.duplicateSegments}`,
    `  clusters    ${c.clusters} repeated messages`,
    `  time        ${(m.elapsedMs / 1000).toFixed(1)} s`,
    `  output      ${outDir}`,
  ];
  return lines.join('\n');
}
