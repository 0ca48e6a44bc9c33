// Message ids ("mids") of the near-duplicate index: "<document number>.<segment index>". As a
// number, document number * 2^21 + segment index, they sort in the index's order of arrival and
// fit a Float64Array exactly (the in-memory index's buckets keep them so).
const SEG_LIMIT = 2 ** 21;

export function midNumber(mid: string): number {
  const dot = mid.indexOf('.');
  const doc = Number(mid.slice(0, dot));
  const seg = Number(mid.slice(dot + 1));
  if (dot < 1 || !Number.isInteger(doc) || !Number.isInteger(seg) || seg < 0 || seg >= SEG_LIMIT) {
    throw new RangeError(`not a message id: ${JSON.stringify(mid)}`);
  }
  return doc * SEG_LIMIT + seg;
}

export function midString(n: number): string {
  const doc = Math.floor(n / SEG_LIMIT);
  return `${doc}.${n - doc * SEG_LIMIT}`;
}
