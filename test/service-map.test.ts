// Inferring the folder → service mapping from manifests, and looking a path up in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferServicePaths, normalizeServiceName, serviceOf } from '../src/analysis/index.js';

const MONOREPO = {
  files: [
    'package.json',
    'README.md',
    'services/cart/package.json',
    'services/cart/src/index.ts',
    'services/cart/Dockerfile',
    'services/payments/go.mod',
    'services/payments/main.go',
    'services/recs/pyproject.toml',
    'services/legacy/setup.py',
    'services/poetry-svc/pyproject.toml',
    'services/orders/pom.xml',
    'services/billing/build.gradle.kts',
    'services/gateway/Dockerfile',
    'services/gateway/nginx.conf',
    'services/cart/worker/Dockerfile.worker',
    'node_modules/left-pad/package.json',
    'test/fixtures/app/package.json',
    'libs/noname/package.json',
  ],
  manifests: {
    'package.json': JSON.stringify({ name: 'acme-monorepo', private: true, workspaces: ['services/*'] }),
    'services/cart/package.json': JSON.stringify({ name: '@acme/cart', version: '1.0.0' }),
    'services/payments/go.mod': 'module github.com/acme/payments/v2\n\ngo 1.22\n',
    'services/recs/pyproject.toml':
      '[build-system]\nname = "not-this"\n\n[project]\nname = "recommendations"\nversion = "0.1"\n',
    'services/legacy/setup.py': 'from setuptools import setup\nsetup(\n    name="legacy-api",\n    version="1.0",\n)\n',
    'services/poetry-svc/pyproject.toml': "[tool.poetry]\nname = 'shipping'\n",
    'services/orders/pom.xml':
      '<project><parent><artifactId>acme-parent</artifactId></parent><!-- <artifactId>comment</artifactId> -->' +
      '<artifactId>orders-service</artifactId><dependencies><dependency><artifactId>spring-web</artifactId></dependency></dependencies></project>',
    'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad' }),
    'test/fixtures/app/package.json': JSON.stringify({ name: 'fixture-app' }),
    'libs/noname/package.json': '{ "private": true }',
  },
};

describe('inferServicePaths', () => {
  it('makes every folder with a manifest a service in a monorepo, without the root', () => {
    assert.deepEqual(inferServicePaths(MONOREPO), [
      { pathPrefix: 'services/billing/', service: 'billing', source: 'services/billing/build.gradle.kts' },
      { pathPrefix: 'services/cart/', service: 'cart', source: 'services/cart/package.json' },
      { pathPrefix: 'services/cart/worker/', service: 'worker', source: 'services/cart/worker/Dockerfile.worker' },
      { pathPrefix: 'services/gateway/', service: 'gateway', source: 'services/gateway/Dockerfile' },
      { pathPrefix: 'services/legacy/', service: 'legacy-api', source: 'services/legacy/setup.py' },
      { pathPrefix: 'services/orders/', service: 'orders-service', source: 'services/orders/pom.xml' },
      { pathPrefix: 'services/payments/', service: 'payments', source: 'services/payments/go.mod' },
      { pathPrefix: 'services/poetry-svc/', service: 'shipping', source: 'services/poetry-svc/pyproject.toml' },
      { pathPrefix: 'services/recs/', service: 'recommendations', source: 'services/recs/pyproject.toml' },
    ]);
  });

  it('maps the whole repository to the root manifest of a single-package repo', () => {
    const single = {
      files: ['package.json', 'src/index.ts', 'test/fixtures/x/package.json'],
      manifests: { 'package.json': '{"name": "@acme/checkout"}', 'test/fixtures/x/package.json': '{"name":"x"}' },
    };
    assert.deepEqual(inferServicePaths(single), [{ pathPrefix: '', service: 'checkout', source: 'package.json' }]);
    const goRepo = { files: ['go.mod', 'main.go'], manifests: { 'go.mod': 'module example.com/inventory\n' } };
    assert.deepEqual(inferServicePaths(goRepo), [{ pathPrefix: '', service: 'inventory', source: 'go.mod' }]);
  });

  it('names a root known only by its Dockerfile after the repository when told its name', () => {
    assert.deepEqual(inferServicePaths({ files: ['Dockerfile', 'app.py'], manifests: {} }), []);
    assert.deepEqual(inferServicePaths({ files: ['Dockerfile'], manifests: {}, rootName: 'search' }), [
      { pathPrefix: '', service: 'search', source: 'Dockerfile' },
    ]);
  });

  it('takes manifests as a list of { path, content } too', () => {
    const out = inferServicePaths({
      files: ['a/package.json'],
      manifests: [{ path: 'a/package.json', content: '{"name":"@x/alpha"}' }],
    });
    assert.deepEqual(out, [{ pathPrefix: 'a/', service: 'alpha', source: 'a/package.json' }]);
  });

  it('ignores manifests it cannot read instead of failing', () => {
    const out = inferServicePaths({
      files: ['a/package.json', 'b/go.mod', 'c/pyproject.toml', 'd/pom.xml', 'e/package.json'],
      manifests: {
        'a/package.json': '{not json',
        'b/go.mod': 'go 1.22\n',
        'c/pyproject.toml': '[tool.black]\n',
        'd/pom.xml': '<project/>',
        'e/package.json': '{"name": 42}',
      },
    });
    assert.deepEqual(out, []);
  });

  it('prefers the package manifest over a Dockerfile in the same folder, and falls back to it', () => {
    const out = inferServicePaths({
      files: ['svc/Dockerfile', 'svc/package.json', 'other/Dockerfile', 'other/package.json'],
      manifests: { 'svc/package.json': '{"name":"svc-from-npm"}', 'other/package.json': '{"private":true}' },
    });
    assert.deepEqual(out, [
      { pathPrefix: 'other/', service: 'other', source: 'other/Dockerfile' },
      { pathPrefix: 'svc/', service: 'svc-from-npm', source: 'svc/package.json' },
    ]);
  });
});

describe('normalizeServiceName', () => {
  it('strips an npm scope and surrounding space', () => {
    assert.equal(normalizeServiceName('@acme/cart'), 'cart');
    assert.equal(normalizeServiceName(' cart '), 'cart');
    assert.equal(normalizeServiceName('cart-api'), 'cart-api');
  });
});

describe('serviceOf', () => {
  const paths = [
    { pathPrefix: '', service: 'monolith' },
    { pathPrefix: 'services/cart/', service: 'cart' },
    { pathPrefix: 'services/cart/worker', service: 'cart-worker' },
  ];
  it('picks the longest matching prefix, on folder boundaries', () => {
    assert.equal(serviceOf('services/cart/src/a.ts', paths), 'cart');
    assert.equal(serviceOf('services/cart/worker/main.ts', paths), 'cart-worker');
    assert.equal(serviceOf('services/cart/workers/main.ts', paths), 'cart');
    assert.equal(serviceOf('services/cartography/x.ts', paths), 'monolith');
    assert.equal(serviceOf('README.md', paths), 'monolith');
  });
  it('returns null when nothing maps the path', () => {
    assert.equal(serviceOf('docs/a.md', paths.slice(1)), null);
    assert.equal(serviceOf('a.ts', []), null);
  });
});
