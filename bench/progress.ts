// A one-line progress display: a bar redrawn in place on a terminal, a line every 5 s otherwise.
export class Progress {
  private label = '';
  private total = 0;
  private count = 0;
  private t0 = 0;
  private last = 0;

  constructor(private tty: boolean) {}

  start(label: string, total: number) {
    this.label = label;
    this.total = total;
    this.count = 0;
    this.t0 = performance.now();
    this.last = 0;
    this.draw(true);
  }

  update(done: number, total?: number) {
    this.count = done;
    if (total) this.total = total;
    this.draw(false);
  }

  done(summary: string) {
    const s = ((performance.now() - this.t0) / 1000).toFixed(1);
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${this.label}: ${summary} [${s} s]\n`);
  }

  private draw(force: boolean) {
    const now = performance.now();
    if (!force && now - this.last < (this.tty ? 200 : 5000)) return;
    this.last = now;
    const s = (now - this.t0) / 1000;
    const frac = this.total ? Math.min(1, this.count / this.total) : 0;
    const rate = s > 0 ? (this.count / s).toFixed(1) : '0';
    const text = `${this.label} ${this.count}/${this.total} ${rate}/s ${s.toFixed(0)} s`;
    if (this.tty) {
      const w = 24;
      const bar = '#'.repeat(Math.round(frac * w)).padEnd(w, '.');
      process.stderr.write(`\r\x1b[K[${bar}] ${text}`);
    } else if (!force) {
      process.stderr.write(`  ${text}\n`);
    }
  }
}
