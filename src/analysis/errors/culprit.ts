// Where an error group was thrown, named in one line: the error list (workflows/analysis-read)
// and triage both show it, so both take it from here.

/** The fields of a stored frame (model ErrorFrame, analysis StackFrame) that name a place. */
export interface CulpritFrame {
  file: string;
  function: string;
  line: number | null;
  inApp: boolean;
}

/** The innermost in-app frame, else the innermost frame; frames are innermost first. */
export function innermostFrame<F extends CulpritFrame>(frames: readonly F[]): F | null {
  return frames.find((f) => f.inApp) ?? frames[0] ?? null;
}

/** The innermost frame as `function (file:line)` (no `:line` when unknown); null for no frames. */
export function culpritOf(frames: readonly CulpritFrame[]): string | null {
  const f = innermostFrame(frames);
  return f ? `${f.function} (${f.file}${f.line !== null ? `:${f.line}` : ''})` : null;
}
