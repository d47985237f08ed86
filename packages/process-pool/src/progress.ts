// Which task a child is running, published where the parent can read it even after the child died.
// Processes share no memory, so a child pwrites the executor's STATE_* slots into a tiny unlinked file that
// both hold open (a few µs per task); the parent preads it when the pool asks (crash, stuck-task check).
import { closeSync, existsSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE_LENGTH } from '@x/executor/worker';

/** The child's file descriptor of the progress file (stdio slot 4, after stdin, stdout, stderr and IPC). */
export const PROGRESS_FD = 4;
/** Slot holding {@link PROGRESS_MAGIC} once the child's worker loop reports task starts. */
export const PROGRESS_READY = STATE_LENGTH - 1;
/** "XPP1": the child publishes progress; until then the parent assumes every sent task started. */
export const PROGRESS_MAGIC = 0x58505031;
const BYTES = STATE_LENGTH * Int32Array.BYTES_PER_ELEMENT;
/**
 * Where the parent writes 1 when it shuts down with `cancelPending`; the child reads it before each task. After
 * the child's slots, which it rewrites whole.
 */
export const CANCEL_OFFSET = BYTES;
const FILE_BYTES = BYTES + Int32Array.BYTES_PER_ELEMENT;
const ONE = new Uint8Array(new Int32Array([1]).buffer);

let counter = 0;

/** Whether /dev/shm exists; false where looking is denied (Deno grants /dev only with --allow-all). */
function shmAvailable(): boolean {
  try {
    return existsSync('/dev/shm');
  } catch {
    return false;
  }
}

/** The parent's end: an open, already unlinked file (nothing is left on disk even if the parent dies). */
export class ProgressFile {
  readonly fd: number;
  readonly #view = new Int32Array(STATE_LENGTH);
  readonly #bytes = new Uint8Array(this.#view.buffer);
  #closed = false;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** A new progress file, or undefined where one cannot be made (then crash accounting is conservative). */
  static open(): ProgressFile | undefined {
    if (process.platform === 'win32') return undefined; // an open file cannot be unlinked there
    let fd: number | undefined;
    try {
      // tmpdir() reads TMPDIR, which Deno may deny (no --allow-env): then there is no progress file.
      const dir = shmAvailable() ? '/dev/shm' : tmpdir();
      const path = join(dir, `x-process-pool-${process.pid}-${++counter}-${Date.now().toString(36)}`);
      fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      // Allocate the page now, so the child's writes cannot fail for lack of space later.
      ftruncateSync(fd, FILE_BYTES);
      writeSync(fd, new Uint8Array(FILE_BYTES), 0, FILE_BYTES, 0);
      return new ProgressFile(fd);
    } catch {
      if (fd !== undefined) closeSync(fd);
      return undefined;
    }
  }

  /** The child's STATE_* slots, or undefined until it has published one task start. */
  read(): Int32Array | undefined {
    if (this.#closed) return undefined;
    try {
      if (readSync(this.fd, this.#bytes, 0, BYTES, 0) !== BYTES) return undefined;
    } catch {
      return undefined;
    }
    return this.#view[PROGRESS_READY] === PROGRESS_MAGIC ? this.#view : undefined;
  }

  /** Tells the child that no task it has not started may start (see CANCEL_OFFSET); false if it cannot be. */
  cancelUnstarted(): boolean {
    if (this.#closed) return false;
    try {
      return writeSync(this.fd, ONE, 0, ONE.length, CANCEL_OFFSET) === ONE.length;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.fd);
  }
}
