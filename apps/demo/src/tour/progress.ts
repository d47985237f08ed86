import type { Colors, OutputStream } from './colors.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Shows which step of a scenario is running: an animated spinner line on a terminal, one plain line per
 * step otherwise (so logs and CI output stay readable).
 */
export interface Progress {
  /** A scenario started. */
  start(label: string): void;
  /** The scenario moved on to a new step. */
  step(label: string): void;
  /** Prints a permanent line without garbling the spinner. */
  print(line: string): void;
  /** The scenario ended: the spinner line is cleared. */
  stop(): void;
}

/** A progress display for `stream`: a spinner if it is a TTY, plain lines if not, nothing if `quiet`. */
export function createProgress(
  stream: OutputStream,
  colors: Colors,
  options: { quiet?: boolean } = {},
): Progress {
  if (options.quiet) return silentProgress;
  return stream.isTTY === true ? new Spinner(stream, colors) : new PlainProgress(stream, colors);
}

const silentProgress: Progress = { start() {}, step() {}, print() {}, stop() {} };

class PlainProgress implements Progress {
  constructor(
    private readonly stream: OutputStream,
    private readonly colors: Colors,
  ) {}
  start(): void {}
  step(label: string): void {
    this.stream.write(`${this.colors.dim(`    … ${label}`)}\n`);
  }
  print(line: string): void {
    this.stream.write(`${line}\n`);
  }
  stop(): void {}
}

class Spinner implements Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private scenario = '';
  private label = '';
  private readonly startedAt = { value: 0 };

  constructor(
    private readonly stream: OutputStream,
    private readonly colors: Colors,
  ) {}

  start(label: string): void {
    this.scenario = label;
    this.label = '';
    this.startedAt.value = performance.now();
    this.draw();
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % frames.length;
      this.draw();
    }, 80);
    // The spinner must never be what keeps the process alive.
    this.timer.unref();
  }

  step(label: string): void {
    this.label = label;
    this.draw();
  }

  print(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    if (this.timer) this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    const seconds = ((performance.now() - this.startedAt.value) / 1000).toFixed(1);
    const text = `${frames[this.frame]} ${this.scenario}${this.label ? ` · ${this.label}` : ''} ${seconds} s`;
    // A pseudo-terminal may report 0 columns.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(
      `\r\u001b[K${this.colors.cyan(text.length > width ? `${text.slice(0, width - 1)}…` : text)}`,
    );
  }

  private clear(): void {
    this.stream.write('\r\u001b[K');
  }
}
