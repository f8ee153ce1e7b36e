// The code view (`/code?path=…&line=…[&end=…][&repo=…]`): a file's lines with their blame and,
// beside them, the Explain panel for that line. This is where a `file:line` citation leads. An
// answer's citation names the path only, so without `repo` the page finds the indexed repository
// that holds the file; a path that is a folder lists its files.
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { FileRecord, Json, RepositorySummary } from '../../model/index.js';
import { codeLink } from '../answer-links';
import { api } from '../api';
import { CodeView } from '../components/code-view';
import { PageHead } from '../components/layout';
import { Empty, ErrorBox, Loading } from '../components/states';

/** How many lines the view shows below the line asked for when no end is given. */
const BELOW = 30;

type Found = { kind: 'file'; file: Json<FileRecord> } | { kind: 'folder'; files: Json<FileRecord>[] };

const filesUnder = (repo: string, path: string) =>
  api<{ files: Json<FileRecord>[] }>(
    `/api/repos/${encodeURIComponent(repo)}/files?${new URLSearchParams({ path, limit: '200' })}`,
  );

/** The indexed file at `path` (in `repo`, else the first repository holding it), or the files under it. */
function useIndexedFile(path: string, repo: string | null) {
  const [state, setState] = useState<{ found: Found | null; error: Error | null }>({ found: null, error: null });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    let live = true;
    setState({ found: null, error: null });
    (async (): Promise<Found> => {
      const repos = repo
        ? [repo]
        : (await api<{ repositories: Json<RepositorySummary>[] }>('/api/repos')).repositories.map((r) => r.name);
      const under: Json<FileRecord>[] = [];
      for (const r of repos) {
        const { files } = await filesUnder(r, path);
        const exact = files.find((f) => f.path === path);
        if (exact) return { kind: 'file', file: exact };
        under.push(...files);
      }
      return { kind: 'folder', files: under };
    })().then(
      (found) => live && setState({ found, error: null }),
      (error: Error) => live && setState({ found: null, error }),
    );
    return () => {
      live = false;
    };
  }, [path, repo, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

function File({ file, line, end }: { file: Json<FileRecord>; line: number | null; end: number | null }) {
  const last = file.lines ?? Number.MAX_SAFE_INTEGER;
  const start = Math.min(line ?? 1, last);
  const stop = Math.max(start, Math.min(end ?? start + BELOW, last));
  const focus = new Set<number>();
  if (line !== null) for (let l = start; l <= Math.max(start, Math.min(end ?? start, last)); l++) focus.add(l);
  return (
    <>
      <p className="muted">
        {file.repository}
        {file.service ? ` · service ${file.service}` : ''}
        {file.language ? ` · ${file.language}` : ''}
        {file.lines !== null ? ` · ${file.lines} lines` : ''}
        {file.owners.length > 0 ? ` · owners ${file.owners.join(', ')}` : ''}
      </p>
      <CodeView
        repository={file.repository}
        path={file.path}
        start={start}
        end={stop}
        focus={focus}
        explain={`${file.path}:${start}`}
        explainOpen
      />
    </>
  );
}

export function CodePage() {
  const [params] = useSearchParams();
  const path = (params.get('path') ?? '').replace(/^\/+/, '');
  const repo = params.get('repo');
  const lineOf = (k: string) => {
    const n = Number(params.get(k));
    return Number.isInteger(n) && n >= 1 ? n : null;
  };
  const line = lineOf('line');
  const end = lineOf('end');
  const state = useIndexedFile(path, repo);
  const title = (
    <>
      <span className="path">{path || 'Code'}</span>
      {line !== null ? `:${line}` : ''}
    </>
  );
  if (!path)
    return (
      <>
        <PageHead title="Code" />
        <Empty>Name a file: /code?path=services/cart/src/server.js&amp;line=42. Answers link here.</Empty>
      </>
    );
  return (
    <>
      <PageHead title={title} />
      {state.error ? (
        <ErrorBox error={state.error} retry={state.reload} />
      ) : state.found === null ? (
        <Loading what={`where ${path} is indexed`} />
      ) : state.found.kind === 'file' ? (
        <File file={state.found.file} line={line} end={end} />
      ) : state.found.files.length === 0 ? (
        <Empty>
          No indexed repository{repo ? ` named ${repo}` : ''} holds {path}. It may have been renamed or deleted since
          the answer was made, or its repository is not synced.
        </Empty>
      ) : (
        <>
          <p className="muted">A folder: its indexed files.</p>
          <ul>
            {state.found.files.map((f) => (
              <li key={`${f.repository}/${f.path}`}>
                <Link className="path" to={codeLink(f.path, { repository: f.repository })}>
                  {f.path}
                </Link>{' '}
                <span className="muted">{f.repository}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
