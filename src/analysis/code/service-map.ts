// A default mapping from folders to services when none is given: every folder holding a
// package manifest (or a Dockerfile) is a service, named after what the manifest says.

export interface ServicePath {
  /** '' for the whole repository, else a folder with one trailing slash ('services/cart/'). */
  pathPrefix: string;
  service: string;
  /** The manifest the mapping was inferred from, e.g. 'services/cart/package.json'. */
  source: string;
}

export interface ServiceMapInput {
  /** Every file path of the repository (manifests that need no contents are found here). */
  files: readonly string[];
  /** Manifest contents by path (package.json, go.mod, pyproject.toml, setup.py, setup.cfg,
   *  pom.xml, Cargo.toml, Chart.yaml), as read by the caller. */
  manifests: Readonly<Record<string, string>> | ReadonlyArray<{ path: string; content: string }>;
  /** Names a service defined at the root only by a Dockerfile or Gradle build (usually
   *  the repository's name); without it such a root is not a service. */
  rootName?: string;
}

/** Folders that hold other people's code or test data, never a service of this repo. */
const IGNORED_DIR = /(^|\/)(node_modules|vendor|third_party|testdata|fixtures|__fixtures__|\.git)\//;

type Reader = (content: string) => string | null;

function jsonName(content: string): string | null {
  try {
    const v = JSON.parse(content) as unknown;
    const name = v && typeof v === 'object' ? (v as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

function goModule(content: string): string | null {
  const m = /^\s*module\s+"?([^\s"]+)"?/m.exec(content);
  if (!m) return null;
  const parts = m[1]!.split('/');
  let last = parts.pop()!;
  // github.com/acme/cart/v2 → cart
  if (/^v\d+$/.test(last) && parts.length > 0) last = parts.pop()!;
  return last;
}

/** `name = "x"` under one of the given [tables] of a TOML or INI file. */
function tableName(tables: string[]): Reader {
  return (content) => {
    let table = '';
    for (const raw of content.split(/\r?\n/)) {
      const line = raw.trim();
      const header = /^\[([^\]]+)\]/.exec(line);
      if (header) {
        table = header[1]!.trim();
        continue;
      }
      if (!tables.includes(table)) continue;
      const m = /^name\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s#;]+))/.exec(line);
      if (m) return m[1] ?? m[2] ?? m[3] ?? null;
    }
    return null;
  };
}

function setupPy(content: string): string | null {
  return /\bname\s*=\s*["']([^"']+)["']/.exec(content)?.[1] ?? null;
}

function pomArtifact(content: string): string | null {
  const own = content
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(
      /<(parent|dependencies|dependencyManagement|build|profiles|plugins|reporting|modules)>[\s\S]*?<\/\1>/g,
      '',
    );
  return /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(own)?.[1] ?? null;
}

function chartName(content: string): string | null {
  return /^name:\s*["']?([^"'\s#]+)/m.exec(content)?.[1] ?? null;
}

/** Manifest file names in order of preference when one folder has several; `null` reads
 *  mean the folder's own name is the service. */
const MANIFESTS: Array<{ file: RegExp; read: Reader | null }> = [
  { file: /^package\.json$/, read: jsonName },
  { file: /^go\.mod$/, read: goModule },
  { file: /^pyproject\.toml$/, read: tableName(['project', 'tool.poetry']) },
  { file: /^setup\.cfg$/, read: tableName(['metadata']) },
  { file: /^setup\.py$/, read: setupPy },
  { file: /^pom\.xml$/, read: pomArtifact },
  { file: /^Cargo\.toml$/, read: tableName(['package']) },
  { file: /^build\.gradle(\.kts)?$/, read: null },
  { file: /^Dockerfile(\..+)?$/, read: null },
  { file: /^Chart\.yaml$/, read: chartName },
];

/** A service name as telemetry would carry it: no npm scope, no surrounding space. */
export function normalizeServiceName(name: string): string {
  return name.trim().replace(/^@[^/]+\//, '');
}

function split(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { dir: '', base: path } : { dir: path.slice(0, slash + 1), base: path.slice(slash + 1) };
}

/**
 * Infers the folder → service mapping. The root maps the whole repository ('') only when
 * no sub-folder is a service, so a monorepo root with workspaces does not swallow its
 * packages. Sorted by path prefix.
 */
export function inferServicePaths(input: ServiceMapInput): ServicePath[] {
  const contents = new Map<string, string>(
    Array.isArray(input.manifests)
      ? (input.manifests as ReadonlyArray<{ path: string; content: string }>).map((m) => [m.path, m.content] as const)
      : Object.entries(input.manifests as Record<string, string>),
  );
  const candidates = new Set<string>([...input.files, ...contents.keys()]);
  const best = new Map<string, { rank: number; service: string; source: string }>();
  for (const raw of candidates) {
    const path = raw.replace(/^\.?\/+/, '');
    if (IGNORED_DIR.test(path)) continue;
    const { dir, base } = split(path);
    const rank = MANIFESTS.findIndex((m) => m.file.test(base));
    if (rank < 0) continue;
    const current = best.get(dir);
    if (current && current.rank <= rank) continue;
    const reader = MANIFESTS[rank]!.read;
    let name: string | null;
    if (reader) {
      const content = contents.get(raw) ?? contents.get(path);
      name = content === undefined ? null : reader(content);
    } else {
      name = dir === '' ? (input.rootName ?? null) : dir.slice(0, -1).split('/').pop()!;
    }
    const service = name === null ? '' : normalizeServiceName(name);
    if (service === '') continue;
    best.set(dir, { rank, service, source: path });
  }
  const root = best.get('');
  if (root && best.size > 1) best.delete('');
  return [...best.entries()]
    .map(([pathPrefix, b]) => ({ pathPrefix, service: b.service, source: b.source }))
    .sort((a, b) => (a.pathPrefix < b.pathPrefix ? -1 : a.pathPrefix > b.pathPrefix ? 1 : 0));
}

/** The service of a path: the mapping with the longest prefix that contains it, or null. */
export function serviceOf(
  path: string,
  servicePaths: ReadonlyArray<Pick<ServicePath, 'pathPrefix' | 'service'>>,
): string | null {
  const p = path.replace(/^\.?\/+/, '');
  let found: string | null = null;
  let length = -1;
  for (const sp of servicePaths) {
    const prefix = sp.pathPrefix === '' || sp.pathPrefix.endsWith('/') ? sp.pathPrefix : `${sp.pathPrefix}/`;
    if (prefix.length > length && p.startsWith(prefix)) {
      found = sp.service;
      length = prefix.length;
    }
  }
  return found;
}
