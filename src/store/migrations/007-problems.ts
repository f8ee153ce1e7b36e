// Problems as triage@1 keeps them: the key in problem.fingerprint (UNIQUE, so a problem keeps
// its id across runs), the last run's whole answer for it in `detail`, the problem it merged
// into, and the run that last saw it. An index on file names serves the owner lookup (a
// stack frame's file matched by path suffix).
export default `
ALTER TABLE problem
  ADD COLUMN algorithm text,
  ADD COLUMN kind text,                                        -- 'error' | 'pattern' | 'tickets'
  ADD COLUMN merged_into bigint REFERENCES problem ON DELETE SET NULL,
  ADD COLUMN detail jsonb NOT NULL DEFAULT '{}',               -- the TriagedProblem of the last run that produced it
  ADD COLUMN window_since timestamptz,                         -- the window of that run
  ADD COLUMN window_until timestamptz,
  ADD COLUMN resolved_at timestamptz,
  ADD CONSTRAINT problem_status_known CHECK (status IN ('open', 'resolved', 'merged'));
CREATE INDEX problem_status_priority ON problem (status, priority DESC);
CREATE INDEX problem_merged_into ON problem (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX ticket_problem ON ticket (problem_id) WHERE problem_id IS NOT NULL;
CREATE INDEX file_basename ON file ((substring(path from '[^/]*$')));
`;
