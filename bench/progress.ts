/**
 * What the run is doing, for the person waiting: on a terminal, one status line
 * redrawn in place (the scenario, the step, a bar, the time so far and left);
 * anywhere else (CI logs, a pipe), plain lines, one per step, so a log reads top
 * to bottom.
 */

export class Progress {
  private readonly tty: boolean;
  private readonly started = Date.now();
  private doneWeight = 0;
  private current = '';
  private timer: NodeJS.Timeout | undefined;

  /** `totalWeight`: the run's estimated seconds, from the plan. */
  constructor(
    private readonly totalWeight: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
    if (this.tty) this.timer = setInterval(() => this.draw(), 250).unref();
  }

  /** A new step of `weight` estimated seconds begins (the previous one is done). */
  step(text: string): void {
    this.current = text;
    if (this.tty) this.draw();
    else this.out.write(`[${this.elapsed()}] ${text}\n`);
  }

  /** The step is done: its weight counts towards the bar. */
  advance(weight: number): void {
    this.doneWeight += weight;
  }

  /** A line that stays (a finding or a warning), printed above the status line. */
  note(text: string): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.tty) this.draw();
  }

  finish(text: string): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
  }

  private elapsed(): string {
    const s = Math.round((Date.now() - this.started) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  private draw(): void {
    const fraction = Math.min(1, this.doneWeight / Math.max(1, this.totalWeight));
    const width = 20;
    const filled = Math.round(fraction * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const spent = (Date.now() - this.started) / 1000;
    const left = fraction > 0.05 ? Math.max(0, Math.round(spent / fraction - spent)) : undefined;
    const eta = left === undefined ? '' : ` ~${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    const columns = this.out.columns ?? 100;
    const line = `[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}% ${this.elapsed()}${eta}  ${this.current}`;
    this.out.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }
}
