// Strings kept as UTF-8 bytes in large Buffers instead of as JavaScript strings. The in-memory
// index holds a record per indexed message (about 1.1 KB each, a million of them at 100k
// documents): as strings in Maps they were gigabytes of small heap objects that every major
// garbage collection had to visit, and an inline run got slower in every stage as the index
// grew. Bytes in a Buffer are outside the heap the collector walks.

const CHUNK = 64 * 2 ** 20;

export class StringArena {
  private chunks: Buffer[] = [];
  private used = CHUNK; // no chunk yet: the first put() allocates one
  // Entry i: chunk index * CHUNK + byte offset, and byte length.
  private at = new Float64Array(1 << 12);
  private len = new Uint32Array(1 << 12);
  private n = 0;
  private total = 0;

  /** Stores a string; returns its handle (0, 1, 2, … in order of storing). */
  put(s: string): number {
    const bytes = Buffer.byteLength(s);
    if (this.used + bytes > CHUNK || this.chunks.length === 0) {
      // A string longer than a chunk gets a chunk of its own size.
      this.chunks.push(Buffer.allocUnsafe(Math.max(CHUNK, bytes)));
      this.used = 0;
    }
    const c = this.chunks.length - 1;
    this.chunks[c]!.write(s, this.used, 'utf8');
    if (this.n === this.at.length) this.grow();
    this.at[this.n] = c * CHUNK + this.used;
    this.len[this.n] = bytes;
    this.total += bytes;
    // A chunk of its own is full: the next string starts a new one.
    this.used = bytes > CHUNK ? CHUNK : this.used + bytes;
    return this.n++;
  }

  get(handle: number): string {
    if (!(handle >= 0 && handle < this.n)) throw new RangeError(`no string ${handle} in the arena`);
    const a = this.at[handle]!;
    const c = Math.floor(a / CHUNK);
    const off = a - c * CHUNK;
    return this.chunks[c]!.toString('utf8', off, off + this.len[handle]!);
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held: the strings' UTF-8 and the handle tables. */
  bytes(): number {
    return this.total + this.at.byteLength + this.len.byteLength;
  }

  private grow(): void {
    const at = new Float64Array(this.at.length * 2);
    at.set(this.at);
    this.at = at;
    const len = new Uint32Array(this.len.length * 2);
    len.set(this.len);
    this.len = len;
  }
}
