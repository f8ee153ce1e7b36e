// Repository sync against real git repositories built in a temp folder: commits, owners,
// services, symbols, log call sites and routes; incremental re-syncs; blame; the API's errors
// and progress stream; the store on PostgreSQL; and the CLI through a real server.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { SelfMetrics } from '../src/observe/index.js';
import { keyedHash } from '../src/analysis/index.js';
import { BatchWriter, type Db, EMAIL_HASH_KEY, Store, instanceSecret } from '../src/store/index.js';
import { type Context, type SyncResult, addRepository, syncRepository } from '../src/workflows/index.js';
import { ALICE, BOB, CAROL, type ShopRepo, buildShopRepo, commit, commitStep, git } from './fixtures/repo/build.js';
import { expectedIndex, renderIndex } from './fixtures/repo/render.js';
import { runCli } from './helpers/cli.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { freshDataDir, freshPglite, freshPostgres } from './helpers/stores.js';

function contextFor(store: Store): Context {
  const metrics = new SelfMetrics();
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: 1,
    maxQueuedRecords: 1000,
    maxQueueWaitMs: 1000,
    maxBatchRecords: 1000,
  });
  return { store, writer, metrics };
}

describe('repository sync (PGlite, through the API)', () => {
  let o: InProcess;
  let shop: ShopRepo;
  let name: string;
  let repoId: number;
  let first: SyncResult;
  const dirs: string[] = [];

  before(async () => {
    o = await inProcessOrrery();
    shop = buildShopRepo();
    dirs.push(shop.dir);
  });
  after(async () => {
    await o.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    o.server.api.inject({ method, url, payload: payload as never, headers });

  it('adds and indexes a repository: POST /api/repos answers 201 with the sync counts', async () => {
    const res = await api('POST', '/api/repos', { path: shop.dir });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    name = body.repository.name;
    repoId = body.repository.id;
    first = body.sync;
    assert.match(name, /^orrery-shop-/);
    assert.equal(body.repository.headSha, shop.sha.merge);
    assert.equal(body.repository.defaultBranch, 'main');
    assert.equal(first.commitsRead, 5);
    assert.equal(first.filesInTree, 13);
    // node_modules is listed without reading; 4 source files are parsed; the minified bundle
    // and the PNG are read (for lines / binary) but not parsed.
    assert.equal(first.filesListed, 1);
    assert.equal(first.filesRead, 12);
    assert.equal(first.filesParsed, 4);
    assert.deepEqual(first.skipped, { vendored: 1, generated: 1, binary: 1 });
    assert.equal(first.symbols, 15);
    assert.equal(first.callsites, 8);
    assert.equal(first.routes, 6);
  });

  it('stores commits with authors, times, messages, numstat files and parents', async () => {
    const rows = await o.store.db.query<{
      sha: string;
      author_name: string;
      author_email_hash: string;
      authored_at: Date;
      message: string;
      parents: string[];
    }>(
      'SELECT sha, author_name, author_email_hash, authored_at, message, parents FROM commit WHERE repository_id = $1 ORDER BY authored_at',
      [repoId],
    );
    assert.deepEqual(
      rows.map((r) => [r.sha, r.author_name, r.authored_at.toISOString(), r.message]),
      [
        [shop.sha.cart, ALICE.name, '2026-01-05T10:00:00.000Z', 'Add cart service\n\nWith CODEOWNERS and a README.'],
        [shop.sha.paymentsRecs, BOB.name, '2026-01-06T11:30:00.000Z', 'Add payments and recs'],
        [shop.sha.inventory, CAROL.name, '2026-01-07T09:15:00.000Z', 'Add inventory service'],
        [shop.sha.cartFix, ALICE.name, '2026-01-08T16:45:00.000Z', 'Say why checkout failed'],
        [shop.sha.merge, CAROL.name, '2026-01-09T08:00:00.000Z', "Merge branch 'inventory'"],
      ],
    );
    const parents = Object.fromEntries(rows.map((r) => [r.sha, r.parents]));
    assert.deepEqual(parents[shop.sha.cart], []);
    assert.deepEqual(parents[shop.sha.cartFix], [shop.sha.paymentsRecs]);
    assert.deepEqual(parents[shop.sha.merge], [shop.sha.cartFix, shop.sha.inventory]);

    // Emails: only a hash of the lower-cased address, and nowhere in clear.
    const bob = rows.find((r) => r.author_name === BOB.name)!;
    const key = await instanceSecret(o.store.db, EMAIL_HASH_KEY);
    assert.equal(bob.author_email_hash, keyedHash(key, 'bob@example.com'), 'the same keyed hash tickets use');
    const everything = JSON.stringify(await o.store.db.query('SELECT * FROM commit'));
    assert.ok(!/example\.(com|org)/i.test(everything), 'an email is stored in clear');

    const files = await o.store.db.query<{ path: string; additions: number | null; deletions: number | null }>(
      'SELECT path, additions, deletions FROM commit_file WHERE repository_id = $1 AND sha = $2 ORDER BY path',
      [repoId, shop.sha.inventory],
    );
    assert.deepEqual(files, [
      { path: 'services/inventory/logo.png', additions: null, deletions: null },
      { path: 'services/inventory/pom.xml', additions: 6, deletions: 0 },
      {
        path: 'services/inventory/src/main/java/com/acme/inventory/InventoryController.java',
        additions: 22,
        deletions: 0,
      },
    ]);
    const fix = await o.store.db.query('SELECT path, additions, deletions FROM commit_file WHERE sha = $1', [
      shop.sha.cartFix,
    ]);
    assert.deepEqual(fix, [{ path: 'services/cart/src/server.ts', additions: 1, deletions: 1 }]);
    const merge = await o.store.db.query('SELECT path FROM commit_file WHERE sha = $1', [shop.sha.merge]);
    assert.equal(merge.length, 0, 'like git log, a merge lists no files of its own');
  });

  it('stores owners, services, symbols with line ranges, log call sites and routes (expected-index.txt)', async () => {
    const actual = await renderIndex(o.store.db, repoId);
    assert.equal(actual, expectedIndex(actual));
  });

  it('answers the query routes: files, symbols, routes, call sites, commits, repos', async () => {
    const files = (await api('GET', `/api/repos/${name}/files?path=services/payments/`)).json().files;
    assert.deepEqual(
      files.map((f: { path: string; owners: string[]; service: string }) => [f.path, f.owners, f.service]),
      [
        ['services/payments/go.mod', ['@acme/payments'], 'payments'],
        ['services/payments/main.go', ['@acme/payments'], 'payments'],
      ],
    );
    const symbols = (await api('GET', '/api/symbols?name=Recommender.recommend')).json().symbols;
    assert.equal(symbols.length, 1);
    assert.deepEqual(
      [symbols[0].path, symbols[0].startLine, symbols[0].endLine, symbols[0].service],
      ['services/recs/app.py', 13, 15, 'recs'],
    );
    assert.equal((await api('GET', '/api/symbols?name=Cart*')).json().symbols[0].name, 'CartService');

    const routes = (await api('GET', '/api/routes?path=/inventory')).json().routes;
    assert.deepEqual(
      routes.map((r: { method: string; routePath: string; symbol: { name: string } }) => [
        r.method,
        r.routePath,
        r.symbol.name,
      ]),
      [
        ['GET', '/inventory/{sku}', 'stock'],
        ['POST', '/inventory/{sku}/reserve', 'reserve'],
      ],
    );
    const calls = (await api('GET', '/api/callsites?q=cache miss')).json().callsites;
    assert.deepEqual(
      calls.map((c: { path: string; line: number; template: string; symbol: { name: string } }) => [
        c.path,
        c.line,
        c.template,
        c.symbol.name,
      ]),
      [['services/recs/app.py', 20, 'cache miss for <*>', 'get_recs']],
    );
    const commits = (await api('GET', `/api/repos/${name}/commits?path=services/cart/src/server.ts`)).json().commits;
    assert.deepEqual(
      commits.map((c: { sha: string }) => c.sha),
      [shop.sha.cartFix, shop.sha.cart],
    );
    const repos = (await api('GET', '/api/repos')).json().repositories;
    assert.deepEqual(
      repos.map((r: { name: string; files: number; commits: number; symbols: number; services: string[] }) => [
        r.name,
        r.files,
        r.commits,
        r.symbols,
        r.services,
      ]),
      [[name, 13, 5, 15, ['cart', 'inventory', 'payments', 'recs']]],
    );
  });

  it('blames a line range at the synced head', async () => {
    const res = await api('GET', `/api/blame?repo=${name}&path=services/cart/src/server.ts&start=18&end=20`);
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json();
    assert.equal(b.rev, shop.sha.merge);
    assert.deepEqual(
      b.lines.map(
        (l: {
          line: number;
          sha: string;
          authorName: string;
          authorTime: string;
          summary: string;
          originalLine: number;
        }) => [l.line, l.sha, l.authorName, l.authorTime, l.summary, l.originalLine],
      ),
      [
        [18, shop.sha.cart, ALICE.name, '2026-01-05T10:00:00.000Z', 'Add cart service', 18],
        [19, shop.sha.cartFix, ALICE.name, '2026-01-08T16:45:00.000Z', 'Say why checkout failed', 19],
        [20, shop.sha.cart, ALICE.name, '2026-01-05T10:00:00.000Z', 'Add cart service', 20],
      ],
    );
    assert.ok(!JSON.stringify(b).includes('@example'), 'blame does not hand out emails');
  });

  it('a second sync reads only the new commit and the changed files, replacing their rows', async () => {
    const before = await o.store.db.query<{ id: number; name: string; start_line: number; end_line: number }>(
      `SELECT y.id, y.name, y.start_line, y.end_line FROM symbol y JOIN file f ON f.id = y.file_id WHERE f.path = 'services/payments/main.go' ORDER BY y.id`,
    );
    const step = commitStep(shop.dir, '6-payments-jobs', BOB, '2026-01-10T12:00:00Z', 'Add refunds and the index job');
    const res = await api('POST', `/api/repos/${name}/sync`);
    assert.equal(res.statusCode, 200, res.body);
    const s: SyncResult = res.json().sync;
    assert.equal(s.previousHead, shop.sha.merge);
    assert.equal(s.head, step);
    assert.equal(s.commitsRead, 1);
    assert.equal(s.filesRead, 2, 'main.go (changed) and jobs.py (new)');
    assert.equal(s.filesParsed, 2);
    assert.equal(s.filesUnchanged, 12);
    assert.equal(s.filesDeleted, 0);
    assert.equal(s.codeownersChanged, false);
    assert.equal(s.symbols, 5, 'Server, Charge, Refund, main + rebuild_index');

    const after = await o.store.db.query<{ id: number; name: string; start_line: number; end_line: number }>(
      `SELECT y.id, y.name, y.start_line, y.end_line FROM symbol y JOIN file f ON f.id = y.file_id WHERE f.path = 'services/payments/main.go' ORDER BY y.start_line`,
    );
    assert.deepEqual(
      after.map((r) => [r.name, r.start_line, r.end_line]),
      [
        ['Server', 9, 11],
        ['Charge', 13, 16],
        ['Refund', 18, 21],
        ['main', 23, 29],
      ],
    );
    // Symbols still there keep their ids (links to them survive); nothing is duplicated.
    const idOf = (rows: typeof before, n: string) => rows.find((r) => r.name === n)!.id;
    for (const n of ['Server', 'Charge', 'main']) assert.equal(idOf(after, n), idOf(before, n), `${n} kept its id`);
    const counts = await o.store.db.query<{ t: string; n: number }>(
      `SELECT 'routes' AS t, count(*) AS n FROM route_handler r JOIN file f ON f.id = r.file_id WHERE f.path = 'services/payments/main.go'
       UNION ALL SELECT 'calls', count(*) FROM log_callsite c JOIN file f ON f.id = c.file_id WHERE f.path = 'services/payments/main.go'
       UNION ALL SELECT 'symbols', count(*) FROM symbol y JOIN file f ON f.id = y.file_id WHERE f.repository_id = ${repoId}
       UNION ALL SELECT 'commits', count(*) FROM commit WHERE repository_id = ${repoId}`,
    );
    assert.deepEqual(Object.fromEntries(counts.map((c) => [c.t, Number(c.n)])), {
      routes: 2,
      calls: 3,
      symbols: 17,
      commits: 6,
    });
    const refund = (await api('GET', '/api/routes?path=refund')).json().routes[0];
    assert.deepEqual(
      [refund.routePath, refund.handler, refund.symbol.parent, refund.symbol.name],
      ['/payments/refund', 's.Refund', 'Server', 'Refund'],
    );

    // Nothing new: nothing read.
    const again: SyncResult = (await api('POST', `/api/repos/${name}/sync`)).json().sync;
    assert.deepEqual([again.commitsRead, again.filesRead, again.filesUnchanged, again.symbols], [0, 0, 14, 0]);

    // A file parsed by an older extractor version is parsed again, even with the same blob.
    await o.store.db.query(`UPDATE file SET extractor = 'code-extract@0' WHERE path = 'services/recs/app.py'`);
    const reparsed: SyncResult = (await api('POST', `/api/repos/${name}/sync`)).json().sync;
    assert.deepEqual([reparsed.commitsRead, reparsed.filesParsed, reparsed.symbols, reparsed.routes], [0, 1, 4, 1]);
  });

  it('re-resolves owners of unchanged files when CODEOWNERS changes, and drops deleted files', async () => {
    rmSync(join(shop.dir, 'README.md'));
    commitStep(shop.dir, '7-codeowners', CAROL, '2026-01-11T09:00:00Z', 'Bob co-owns payments; drop the README');
    const s: SyncResult = (await api('POST', `/api/repos/${name}/sync`)).json().sync;
    assert.equal(s.commitsRead, 1);
    assert.equal(s.filesRead, 1, 'only CODEOWNERS itself');
    assert.equal(s.filesDeleted, 1);
    assert.equal(s.codeownersChanged, true);
    assert.equal(s.ownersUpdated, 2, 'go.mod and main.go');
    const rows = await o.store.db.query<{ path: string; owners: string[] }>(
      `SELECT path, owners FROM file WHERE repository_id = $1 AND (path LIKE 'services/payments/%' OR path = 'README.md') ORDER BY path`,
      [repoId],
    );
    assert.deepEqual(rows, [
      { path: 'services/payments/go.mod', owners: ['@acme/payments', '@bob'] },
      { path: 'services/payments/main.go', owners: ['@acme/payments', '@bob'] },
    ]);
    const rules = await o.store.db.query(
      'SELECT line, pattern, owners FROM codeowner_rule WHERE repository_id = $1 ORDER BY line',
      [repoId],
    );
    assert.deepEqual(rules.at(-1), { line: 5, pattern: '/services/payments/', owners: ['@acme/payments', '@bob'] });
  });

  it('uses a given service mapping instead of inferring one', async () => {
    const other = buildShopRepo();
    dirs.push(other.dir);
    const res = await api('POST', '/api/repos', {
      path: other.dir,
      name: 'shop-given',
      services: [{ service: 'storefront' }, { service: 'basket', pathPrefix: './services/cart' }],
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().sync.services, [
      { pathPrefix: '', service: 'storefront', source: 'given' },
      { pathPrefix: 'services/cart/', service: 'basket', source: 'given' },
    ]);
    const files = (await api('GET', '/api/repos/shop-given/files')).json().files as Array<{
      path: string;
      service: string;
    }>;
    const serviceOf = Object.fromEntries(files.map((f) => [f.path, f.service]));
    assert.equal(serviceOf['services/cart/src/server.ts'], 'basket');
    assert.equal(serviceOf['services/payments/main.go'], 'storefront');
    assert.equal(serviceOf['README.md'], 'storefront');
  });

  it('streams progress as NDJSON when asked, ending with the result', async () => {
    appendFileSync(join(shop.dir, 'services/recs/jobs.py'), '\n\ndef noop():\n    pass\n');
    git(shop.dir, ['add', '-A']);
    commit(shop.dir, ALICE, '2026-01-12T10:00:00Z', ['-m', 'Add noop']);
    const res = await api('POST', `/api/repos/${name}/sync`, undefined, { accept: 'application/x-ndjson' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = lines.at(-1);
    assert.equal(last.type, 'result');
    assert.deepEqual([last.sync.commitsRead, last.sync.filesParsed, last.sync.symbols], [1, 1, 2]);
    const progress = lines.filter((l) => l.type === 'progress');
    assert.equal(progress[0].phase, 'start');
    assert.equal(progress.at(-1).phase, 'done');
    assert.match(progress.find((l) => l.phase === 'files').message, /^indexing \d\/1 files/);

    // A failure after the stream started is a last line of type "error"; without NDJSON, a 400.
    const gone = buildShopRepo();
    const added = await api('POST', '/api/repos', { path: gone.dir, name: 'gone', sync: false });
    assert.equal(added.statusCode, 201);
    assert.equal(added.json().sync, null);
    rmSync(gone.dir, { recursive: true, force: true });
    const streamed = await api('POST', '/api/repos/gone/sync', undefined, { accept: 'application/x-ndjson' });
    const end = JSON.parse(streamed.body.trim().split('\n').at(-1)!);
    assert.equal(end.type, 'error');
    assert.equal(end.statusCode, 400);
    assert.match(end.message, /repository "gone" at .* does not exist/);
    const plain = await api('POST', '/api/repos/gone/sync');
    assert.equal(plain.statusCode, 400);
  });

  it('answers bad input with clear 4xx errors', async () => {
    const notGit = mkdtempSync(join(tmpdir(), 'orrery-not-git-'));
    const empty = mkdtempSync(join(tmpdir(), 'orrery-empty-git-'));
    dirs.push(notGit, empty);
    git(empty, ['init', '-q']);
    const cases: Array<[unknown, number, RegExp]> = [
      [{ path: notGit }, 400, /is not a git repository/],
      [{ path: '/nonexistent/orrery/repo' }, 400, /\/nonexistent\/orrery\/repo does not exist/],
      [{ path: join(shop.dir, 'README.md.gone') }, 400, /does not exist/],
      [{ path: join(shop.dir, 'CODEOWNERS') }, 400, /is not a directory/],
      [{ path: empty }, 400, /has no commits yet/],
      [{ path: 'relative/dir' }, 400, /path: must be an absolute path on the server/],
      [{}, 400, /path:/],
      [{ path: shop.dir, name: 'other-name' }, 409, /already added as/],
      [{ path: notGit, name: 'bad name!' }, 400, /repository name "bad name!"/],
      [{ path: notGit, name: '123' }, 400, /not all digits/],
      [
        { path: shop.dir, services: [{ service: 'a', pathPrefix: '../up' }] },
        400,
        /must be a folder inside the repository/,
      ],
      [{ path: shop.dir, services: [{ service: 'has space' }] }, 400, /service name "has space"/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await api('POST', '/api/repos', payload);
      assert.equal(res.statusCode, status, `${JSON.stringify(payload)} → ${res.body}`);
      assert.match(res.json().message, message);
    }
    const taken = buildShopRepo();
    dirs.push(taken.dir);
    const dup = await api('POST', '/api/repos', { path: taken.dir, name: 'shop-given' });
    assert.equal(dup.statusCode, 409);
    assert.match(dup.json().message, /a repository named "shop-given" already exists/);

    assert.equal((await api('POST', '/api/repos/nope/sync')).statusCode, 404);
    assert.equal((await api('GET', '/api/repos/nope/files')).statusCode, 404);
    const range = await api('GET', `/api/blame?repo=${name}&path=services/recs/app.py&start=30&end=40`);
    assert.equal(range.statusCode, 400);
    assert.match(range.json().message, /services\/recs\/app\.py has only 21 lines/);
    const missing = await api('GET', `/api/blame?repo=${name}&path=nope.txt&start=1`);
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /nope\.txt is not in commit/);
    const backwards = await api('GET', `/api/blame?repo=${name}&path=services/recs/app.py&start=5&end=2`);
    assert.equal(backwards.statusCode, 400);
    assert.equal((await api('GET', '/api/symbols')).statusCode, 400);
  });
});

describe('a failed sync', () => {
  it('leaves no half-written file, keeps the old head, and the next sync completes it', async () => {
    const { store, cleanup } = await freshPglite();
    const shop = buildShopRepo();
    try {
      let fail = true;
      const db = store.db;
      const failing: Db = {
        ...db,
        query: db.query.bind(db),
        exec: db.exec.bind(db),
        copyFrom: db.copyFrom.bind(db),
        close: db.close.bind(db),
        transaction: (fn) =>
          db.transaction((tx) =>
            fn({
              ...tx,
              query: tx.query.bind(tx),
              exec: tx.exec.bind(tx),
              async copyFrom(table, columns, text) {
                // Routes are written after the files and symbols of the same batch.
                if (fail && table === 'route_handler' && text) throw new Error('disk full');
                return tx.copyFrom(table, columns, text);
              },
            }),
          ),
      };
      const ctx = contextFor(new Store(failing, 7));
      const { repository } = await addRepository(ctx, { path: shop.dir });
      await assert.rejects(syncRepository(ctx, repository.id), /disk full/);
      const [files, symbols] = await Promise.all(
        ['file', 'symbol'].map((t) => db.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`)),
      );
      assert.deepEqual(
        [Number(files![0]!.n), Number(symbols![0]!.n)],
        [0, 0],
        'the batch with the failure is rolled back whole',
      );
      assert.equal((await db.query('SELECT head_sha FROM repository'))[0]!.head_sha, null);

      fail = false;
      const again = await syncRepository(ctx, repository.id);
      assert.equal(again.filesRead, 12);
      const actual = await renderIndex(db, repository.id);
      assert.equal(actual, expectedIndex(actual));
    } finally {
      await cleanup();
      rmSync(shop.dir, { recursive: true, force: true });
    }
  });
});

describe('repository sync on PostgreSQL', () => {
  it('stores the same index as on PGlite, and re-syncs incrementally', async () => {
    const pg = await freshPostgres();
    const shop = buildShopRepo();
    try {
      const ctx = contextFor(pg.store);
      const { repository, created } = await addRepository(ctx, { path: shop.dir });
      assert.equal(created, true);
      // Worker threads parse here (the API tests above parse inline: too few files for a pool).
      const first = await syncRepository(ctx, repository.name, { parseWorkers: 2 });
      assert.deepEqual(
        [first.commitsRead, first.filesRead, first.symbols, first.callsites, first.routes],
        [5, 12, 15, 8, 6],
      );
      const actual = await renderIndex(pg.store.db, repository.id);
      assert.equal(actual, expectedIndex(actual));
      commitStep(shop.dir, '6-payments-jobs', BOB, '2026-01-10T12:00:00Z', 'Add refunds and the index job');
      const second = await syncRepository(ctx, repository.id);
      assert.deepEqual([second.commitsRead, second.filesRead, second.filesUnchanged, second.symbols], [1, 2, 12, 5]);
      const n = await pg.store.db.query<{ n: number }>('SELECT count(*) AS n FROM symbol');
      assert.equal(Number(n[0]!.n), 17);
    } finally {
      await pg.cleanup();
      rmSync(shop.dir, { recursive: true, force: true });
    }
  });
});

describe('orrery repo (CLI through a real server)', () => {
  it('adds, syncs, lists and blames; a folder that is not a repository exits 2', async () => {
    const dataDir = await freshDataDir();
    const shop = buildShopRepo();
    const notGit = mkdtempSync(join(tmpdir(), 'orrery-not-git-'));
    const server = await ServerProcess.start({ dataDir, logDir: dataDir });
    try {
      const at = ['--server', server.apiUrl];
      const add = await runCli(['repo', 'add', shop.dir, '--name', 'shop', ...at]);
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, /Added repository "shop"/);
      assert.match(add.stdout, /5 commits read, 12 files read \(4 parsed\), 0 unchanged, 0 deleted/);
      assert.match(add.stdout, /15 symbols, 8 log call sites, 6 routes; not parsed: 1 vendored, 1 generated, 1 binary/);
      assert.match(add.stdout, /services: cart ← services\/cart\/ \(services\/cart\/package\.json\)/);
      assert.match(add.stderr, /listing 1 files without reading them \(1 vendored\)/);

      commitStep(shop.dir, '6-payments-jobs', BOB, '2026-01-10T12:00:00Z', 'Add refunds and the index job');
      const sync = await runCli(['repo', 'sync', '--json', ...at]);
      assert.equal(sync.code, 0, sync.stderr);
      const results = JSON.parse(sync.stdout);
      assert.equal(results.length, 1);
      assert.deepEqual(
        [results[0].sync.commitsRead, results[0].sync.filesRead, results[0].sync.filesUnchanged],
        [1, 2, 12],
      );

      const list = await runCli(['repo', 'list', ...at]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /shop\s+[0-9a-f]{12}\s+\S+\s+6\s+14\s+17\s+cart,inventory,payments,recs/);

      const blame = await runCli(['repo', 'blame', 'shop', 'services/cart/src/server.ts', '-L', '19,+1', ...at]);
      assert.equal(blame.code, 0, blame.stderr);
      assert.match(
        blame.stdout,
        new RegExp(`19\\s+${shop.sha.cartFix.slice(0, 10)}\\s+Alice Liddell\\s+2026-01-08\\s+Say why checkout failed`),
      );

      const bad = await runCli(['repo', 'add', notGit, ...at]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /the server answered 400: cannot add .*is not a git repository/);
      const badRange = await runCli(['repo', 'blame', 'shop', 'README.md', '-L', 'ten', ...at]);
      assert.equal(badRange.code, 2);
      assert.match(badRange.stderr, /-L "ten": give START,END/);

      // Syncing everything: a repository that fails does not stop the others, and the exit code says so.
      const gone = buildShopRepo();
      const registered = await runCli(['repo', 'add', gone.dir, '--name', 'gone', '--no-sync', ...at]);
      assert.equal(registered.code, 0, registered.stderr);
      assert.match(registered.stdout, /Not indexed yet: run `orrery repo sync gone`/);
      rmSync(gone.dir, { recursive: true, force: true });
      const all = await runCli(['repo', 'sync', ...at]);
      assert.equal(all.code, 2);
      assert.match(all.stdout, /^shop at [0-9a-f]{12}: 0 commits read/m);
      assert.match(all.stderr, /orrery: gone: the server answered 400: repository "gone" at .* does not exist/);
      assert.match(all.stderr, /1 of 2 repositories failed to sync/);
    } finally {
      await server.stop();
      for (const d of [dataDir, shop.dir, notGit]) rmSync(d, { recursive: true, force: true });
    }
  });
});
