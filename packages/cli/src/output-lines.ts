import type { Io } from './progress.js';

/** Bytes of output held before they are written. */
const CHUNK = 1 << 16;

/**
 * The output of a command that answers line by line (predict, translate), written to `out` in
 * chunks of about 64 KiB: a write per line is slow for a large input, and one write at the end holds
 * the whole output in memory. `end` writes what is left.
 */
export class ChunkedOutput {
  private text = '';

  constructor(private readonly out: Io['stdout']) {}

  write(text: string): void {
    this.text += text;
    if (this.text.length > CHUNK) {
      this.out.write(this.text);
      this.text = '';
    }
  }

  end(): void {
    this.out.write(this.text);
    this.text = '';
  }
}
