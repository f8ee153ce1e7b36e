// Progress output for the demo: finished steps as lines, the current state as one line that
// updates in place on a terminal (and is printed at most every few seconds otherwise).

export interface DemoOutput {
  /** A step that finished, printed as its own line. */
  step(line: string): void;
  /** The current state; replaces the previous status on a terminal. */
  status(line: string): void;
  /** Plain text (the closing summary). */
  print(text: string): void;
}

/** Steps are stamped with the seconds since the output was made: `[ 12.3s] ✓ …`. */
export function streamOutput(stream: NodeJS.WriteStream, plainEveryMs = 5_000): DemoOutput {
  const tty = stream.isTTY === true;
  const t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
  let pending = false;
  let lastPlain = 0;
  const clear = () => {
    if (tty && pending) stream.write('\r\x1b[K');
    pending = false;
  };
  return {
    step(line) {
      clear();
      stream.write(`${stamp()} ${line}\n`);
    },
    status(line) {
      if (tty) {
        const width = stream.columns ? stream.columns - 1 : 120;
        stream.write(`\r\x1b[K${line.slice(0, width)}`);
        pending = true;
      } else if (Date.now() - lastPlain >= plainEveryMs) {
        lastPlain = Date.now();
        stream.write(`  ${line}\n`);
      }
    },
    print(text) {
      clear();
      stream.write(text);
    },
  };
}

/** Output that keeps everything, for tests. */
export function memoryOutput(): DemoOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, step: (l) => lines.push(l), status: () => {}, print: (t) => lines.push(t) };
}
