// The dependency rule (docs/architecture.md): pure code does no I/O.
// analysis/, model/ and ingest/transforms/ may not import the store, the server,
// the CLI, sources or workflows, nor any module that reaches the disk, the network
// or child processes.
const PURE = '^src/(analysis|model|ingest/transforms)/';
const IO_NODE = '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|child_process|cluster|worker_threads|tls|readline|repl|inspector|v8|vm)$';
const IO_PACKAGES = '^(node_modules/)?(pg|pg-copy-streams|@electric-sql/pglite|fastify|commander|undici)(/|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'pure-no-io-modules',
      comment: 'analysis/, model/ and ingest/transforms/ are pure: no node I/O modules.',
      severity: 'error',
      from: { path: PURE },
      to: { dependencyTypes: ['core'], path: IO_NODE },
    },
    {
      name: 'pure-no-io-packages',
      comment: 'analysis/, model/ and ingest/transforms/ are pure: no database, HTTP or CLI packages.',
      severity: 'error',
      from: { path: PURE },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'pure-no-io-layers',
      comment: 'analysis/, model/ and ingest/transforms/ may not import store, server, cli, sources or workflows.',
      severity: 'error',
      from: { path: PURE },
      to: { path: '^src/(store|server|cli|workflows|ingest/sources|config|observe)/' },
    },
    {
      name: 'model-is-a-leaf',
      comment: 'model/ holds types and may import nothing else of ours.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/(?!model/)' },
    },
    {
      name: 'web-only-reads-model',
      comment: 'The web UI (src/web) runs in the browser: of ours it may import only model/ (types), never the server side.',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { path: '^src/(?!web/|model/)' },
    },
    {
      name: 'nothing-imports-web',
      comment: 'The server serves the built UI from dist/web; no server-side module imports its source.',
      severity: 'error',
      from: { path: '^src/(?!web/)' },
      to: { path: '^src/web/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
