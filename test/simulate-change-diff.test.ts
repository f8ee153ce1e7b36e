// sim-change's pure parts on small inputs: `git diff -U0` headers (added, deleted, renamed,
// binary, quoted paths, hunks without counts), and the walk's bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodeGraph, type FileCode, type WalkedUnit, parseUnifiedDiff, walkCallers } from '../src/analysis/index.js';
import { exposure } from '../src/analysis/simulate/change/exposure.js';

const DIFF = `diff --git a/src/a.ts b/src/a.ts
index 1111111..2222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -3 +3 @@ export function a() {
-  return 1;
+  return 2;
@@ -10,2 +9,0 @@ export function b() {
--- this removed line starts like a header
-  x();
@@ -20,0 +19,3 @@
+function c() {
+  return 3;
+}
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.py
@@ -0,0 +1,2 @@
+def f():
+    pass
diff --git a/gone.go b/gone.go
deleted file mode 100644
index 4444444..0000000
--- a/gone.go
+++ /dev/null
@@ -1,3 +0,0 @@
-package x
-
-func F() {}
diff --git a/lib/old name.js b/lib/new name.js
similarity index 90%
rename from lib/old name.js
rename to lib/new name.js
index 5555555..6666666 100644
--- a/lib/old name.js
+++ b/lib/new name.js
@@ -4 +4 @@
-a
+b
diff --git a/img.png b/img.png
index 7777777..8888888 100644
Binary files a/img.png and b/img.png differ
diff --git "a/caf\\303\\251\\ttab.js" "b/caf\\303\\251\\ttab.js"
index 9999999..aaaaaaa 100644
--- "a/caf\\303\\251\\ttab.js"
+++ "b/caf\\303\\251\\ttab.js"
@@ -1 +1 @@
-x
+y
`;

describe('parseUnifiedDiff', () => {
  const files = parseUnifiedDiff(DIFF);

  it('reads each file once, with its paths and status', () => {
    assert.deepEqual(
      files.map((f) => [f.status, f.oldPath, f.newPath, f.binary]),
      [
        ['modified', 'src/a.ts', 'src/a.ts', false],
        ['added', null, 'new.py', false],
        ['deleted', 'gone.go', null, false],
        ['renamed', 'lib/old name.js', 'lib/new name.js', false],
        ['modified', 'img.png', 'img.png', true],
        ['modified', 'café\ttab.js', 'café\ttab.js', false],
      ],
    );
  });

  it('reads hunk headers, a missing count being 1, and not a removed line that looks like a header', () => {
    assert.deepEqual(files[0]!.hunks, [
      { oldStart: 3, oldCount: 1, newStart: 3, newCount: 1 },
      { oldStart: 10, oldCount: 2, newStart: 9, newCount: 0 },
      { oldStart: 20, oldCount: 0, newStart: 19, newCount: 3 },
    ]);
    assert.deepEqual(files[1]!.hunks, [{ oldStart: 0, oldCount: 0, newStart: 1, newCount: 2 }]);
    assert.deepEqual(files[2]!.hunks, [{ oldStart: 1, oldCount: 3, newStart: 0, newCount: 0 }]);
  });

  it('an empty diff is no files', () => {
    assert.deepEqual(parseUnifiedDiff(''), []);
  });
});

/** A chain a0 ← a1 ← … ← a(n-1): unit i+1 calls unit i. */
function chain(n: number): FileCode {
  const units: FileCode['units'] = [
    {
      key: '<module>',
      kind: 'module',
      name: '<module>',
      bare: '<module>',
      parent: null,
      symbolKind: null,
      startLine: 1,
      endLine: n + 1,
      route: null,
    },
  ];
  for (let i = 0; i < n; i++) {
    units.push({
      key: `a${i}`,
      kind: 'symbol',
      name: `a${i}`,
      bare: `a${i}`,
      parent: null,
      symbolKind: 'function',
      startLine: i + 1,
      endLine: i + 1,
      route: null,
    });
  }
  return {
    path: 'x.js',
    language: 'javascript',
    units,
    refs: units
      .slice(2)
      .map((_, i) => ({ unit: i + 2, name: `a${i}`, member: false, receiver: null, how: 'call' as const })),
    imports: [],
    reexports: [],
    logSites: [],
    quietLines: [],
  };
}

describe('walkCallers bounds', () => {
  const f = chain(30);
  const graph = new CodeGraph(new Map([['x.js', f]]), new Set(['x.js']));

  it('walks the whole chain when the depth allows, 16 steps by default', () => {
    const w = walkCallers(graph, [{ path: 'x.js', unit: 1 }], { maxDepth: 40 });
    assert.equal(w.reached.size, 30);
    assert.equal(w.truncated, false);
    assert.equal(walkCallers(graph, [{ path: 'x.js', unit: 1 }]).reached.size, 17);
  });

  it('says it was cut when a unit at the last depth has callers left', () => {
    const w = walkCallers(graph, [{ path: 'x.js', unit: 1 }], { maxDepth: 5 });
    assert.equal(w.reached.size, 6);
    assert.equal(w.truncated, true);
    const bySize = walkCallers(graph, [{ path: 'x.js', unit: 1 }], { maxUnits: 10 });
    assert.equal(bySize.reached.size, 10);
    assert.equal(bySize.truncated, true);
  });
});

describe('exposure: code run at start-up', () => {
  const unit = (id: string, kind: WalkedUnit['kind'], depth: number, via: string | null): WalkedUnit => ({
    id,
    path: 'src/app.js',
    name: id,
    kind,
    service: 'api',
    owners: [],
    depth,
    via,
    route: null,
    startLine: 1,
  });
  const traffic = [
    { service: 'api', endpoint: '/a', requests: 60, errors: 0, users: 3, accounts: 1 },
    { service: 'api', endpoint: '/b', requests: 30, errors: 0, users: 2, accounts: 1 },
    { service: 'other', endpoint: '/c', requests: 10, errors: 0, users: 1, accounts: 1 },
  ];
  const run = (units: WalkedUnit[]) =>
    exposure({ units, runtime: null, traffic, minutes: 10, serviceEdges: [], serviceOwners: new Map() }).endpoints.map(
      (e) => `${e.service} ${e.endpoint} ${e.path.at(-1)} ${e.callsPerMinute}`,
    );

  it('a top-level variable whose initializer reaches the change exposes every endpoint of its service', () => {
    assert.deepEqual(run([unit('parseConfig', 'symbol', 0, null), unit('config', 'variable', 1, 'parseConfig')]), [
      'api /a api startup 6',
      'api /b api startup 3',
    ]);
  });

  it('a variable whose own value changed exposes only what uses it', () => {
    assert.deepEqual(run([unit('config', 'variable', 0, null)]), []);
  });
});
