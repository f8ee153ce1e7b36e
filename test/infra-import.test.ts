// Infrastructure import through the API, in process, from the fixtures in test/fixtures/infra:
// Kubernetes manifests (multi-document YAML, a List in JSON) and `terraform show -json`,
// normalised specs, service links, re-import replacing a source, and parse errors that
// name the file and line and write nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cpuMillicores, memoryBytes, parseInfraFiles } from '../src/ingest/sources/infra/index.js';
import type {
  GenericSpec,
  HpaSpec,
  InfraImportResult,
  InfraResource,
  ServiceSpec,
  WorkloadSpec,
} from '../src/model/index.js';
import { defaultSource } from '../src/workflows/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const FIXTURES = new URL('./fixtures/infra/', import.meta.url);
const fixture = (path: string) => ({ path, content: readFileSync(new URL(path, FIXTURES), 'utf8') });
const Mi = 2 ** 20;
const Gi = 2 ** 30;

describe('Kubernetes quantities', () => {
  it('CPU in millicores, rounded up', () => {
    const cases: Array<[unknown, number | null]> = [
      ['250m', 250],
      ['1', 1000],
      ['0.5', 500],
      ['1.5', 1500],
      [2, 2000],
      ['100u', 1],
      ['5e-1', 500],
      ['2k', 2_000_000],
      ['lots', null],
      ['-1', null],
    ];
    for (const [v, want] of cases) assert.equal(cpuMillicores(v), want, String(v));
  });

  it('memory in bytes, binary and decimal suffixes', () => {
    const cases: Array<[unknown, number | null]> = [
      ['256Mi', 256 * Mi],
      ['1Gi', Gi],
      ['512M', 512e6],
      ['1G', 1e9],
      ['129e6', 129e6],
      ['128974848000m', 128974848],
      ['1Ki', 1024],
      [1024, 1024],
      ['1.5Gi', 1.5 * Gi],
      ['12 GB', null],
    ];
    for (const [v, want] of cases) assert.equal(memoryBytes(v), want, String(v));
  });
});

describe('infra file parsing', () => {
  it('names the common folder as the default source', () => {
    assert.equal(defaultSource(['deploy/k8s/a.yaml', 'deploy/k8s/sub/b.yaml', 'deploy/tf/show.json']), 'deploy');
    assert.equal(defaultSource(['/abs/x.yaml']), '/abs/x.yaml');
    assert.equal(defaultSource(['a.yaml', 'b.yaml']), '.');
  });

  it('keeps the last of two resources with the same kind, namespace and name, with a warning', () => {
    const doc = (replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: ${replicas}}\n`;
    const parsed = parseInfraFiles([
      { path: 'base/web.yaml', content: doc(1) },
      { path: 'prod/web.yaml', content: doc(5) },
    ]);
    assert.equal(parsed.resources.length, 1);
    assert.equal((parsed.resources[0]!.spec as WorkloadSpec).replicas, 5);
    assert.match(parsed.warnings[0]!, /appears twice .* kept prod\/web.yaml:1/);
  });

  it('imports what it can read and warns about an unreadable quantity', () => {
    const parsed = parseInfraFiles([
      {
        path: 'w.yaml',
        content:
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          resources: {requests: {cpu: lots, memory: 1Gi}}\n',
      },
    ]);
    const c = (parsed.resources[0]!.spec as WorkloadSpec).containers[0]!;
    assert.deepEqual(c.requests, { cpuMillicores: null, memoryBytes: Gi });
    assert.match(parsed.warnings.join('\n'), /cpu "lots" is not a quantity/);
  });

  it('warns about values whose toString is not a function instead of throwing (found by the fuzzer)', () => {
    const parsed = parseInfraFiles([
      {
        path: 'w.yaml',
        content:
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: {toString: 1}\n  template:\n    spec:\n      containers:\n        - name: c\n          resources: {requests: {cpu: {toString: 1}}, limits: {memory: {valueOf: 2}}}\n',
      },
    ]);
    assert.equal(parsed.resources.length, 1);
    const warnings = parsed.warnings.join('\n');
    assert.match(warnings, /replicas "\{"toString":1\}" is not a number/);
    assert.match(warnings, /cpu "\{"toString":1\}" is not a quantity/);
    assert.match(warnings, /memory "\{"valueOf":2\}" is not a quantity/);
  });

  it('skips Lists nested past 8 deep and reads a List of 300,000 items (found by the fuzzer)', () => {
    const n = 20_000;
    const deep = `${'{"kind":"List","apiVersion":"v1","items":['.repeat(n)}{"kind":"Service","apiVersion":"v1","metadata":{"name":"x"}}${']}'.repeat(n)}`;
    const parsed = parseInfraFiles([{ path: 'deep.json', content: deep }]);
    assert.equal(parsed.resources.length, 0);
    assert.match(parsed.skipped[0]!.reason, /List nested more than 8 deep/);
    const items = Array.from({ length: 300_000 }, (_, i) => ({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: `s${i}` },
    }));
    const many = parseInfraFiles([
      {
        path: 'many.json',
        content: JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [{ kind: 'List', apiVersion: 'v1', items }] }),
      },
    ]);
    assert.equal(many.resources.length, 300_000);
  });
});

describe('infra import API', () => {
  let o: InProcess;
  let result: InfraImportResult;
  const files = [fixture('k8s/shop.yaml'), fixture('k8s/orders-db.json'), fixture('terraform/show.json')];

  before(async () => {
    o = await inProcessOrrery();
    // Services Orrery already knows (from telemetry); checkout is not among them.
    await o.store.db.query("INSERT INTO service (name) VALUES ('catalog'), ('cart'), ('orders')");
  });
  after(() => o.cleanup());

  const post = (payload: unknown) =>
    o.server.api.inject({ method: 'POST', url: '/api/infra/import', payload: payload as object });
  const list = async (query = ''): Promise<InfraResource[]> =>
    (await o.server.api.inject({ method: 'GET', url: `/api/infra${query}` })).json().resources;
  const find = (rs: InfraResource[], kind: string, name: string) => {
    const r = rs.find((x) => x.kind === kind && x.name === name);
    assert.ok(r, `${kind} ${name} is stored`);
    return r;
  };

  it('imports manifests and terraform output in one call and reports per kind', async () => {
    const res = await post({ source: 'shop-infra', files });
    assert.equal(res.statusCode, 200, res.body);
    result = res.json();
    assert.equal(result.source, 'shop-infra');
    assert.deepEqual(result.imported, {
      Deployment: 3,
      Service: 3,
      HorizontalPodAutoscaler: 3,
      StatefulSet: 1,
      aws_db_instance: 1,
      aws_elasticache_cluster: 1,
      aws_eks_node_group: 1,
    });
    assert.equal(result.replaced, 0);
    assert.deepEqual(
      result.skipped.map((s) => s.reason),
      ['kind ConfigMap is not read', 'kind Secret is not read'],
    );
  });

  it('normalises a Deployment: replicas, selector, containers in millicores and bytes, per-pod sums', async () => {
    const rs = await list('?service=catalog');
    const d = find(rs, 'Deployment', 'catalog');
    assert.equal(d.namespace, 'shop');
    assert.equal(d.rawRef, 'k8s/shop.yaml:2');
    assert.deepEqual(d.labels, { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/part-of': 'shop' });
    const spec = d.spec as WorkloadSpec;
    assert.equal(spec.replicas, 3);
    assert.deepEqual(spec.selector, { 'app.kubernetes.io/name': 'catalog' });
    assert.deepEqual(spec.containers, [
      {
        name: 'catalog',
        image: 'registry.example.com/shop/catalog:4.2.0',
        requests: { cpuMillicores: 250, memoryBytes: 256 * Mi },
        limits: { cpuMillicores: 1000, memoryBytes: Gi },
        // Literal settings only: the secret-named var and the one from a Secret are left out.
        env: { DB_POOL_SIZE: '4' },
      },
      {
        name: 'envoy',
        image: 'envoyproxy/envoy:v1.30',
        requests: { cpuMillicores: 50, memoryBytes: 64 * Mi },
        limits: { cpuMillicores: null, memoryBytes: null },
        env: {},
      },
    ]);
    assert.deepEqual(spec.perPod, {
      requests: { cpuMillicores: 300, memoryBytes: 320 * Mi },
      limits: { cpuMillicores: 1000, memoryBytes: Gi },
    });
    assert.deepEqual(d.link, { by: 'label', detail: 'label app.kubernetes.io/name=catalog', known: true });
  });

  it('normalises HPAs (autoscaling/v2 metrics and v1 targetCPUUtilizationPercentage) and links them to their target', async () => {
    const rs = await list();
    const catalog = find(rs, 'HorizontalPodAutoscaler', 'catalog-hpa');
    assert.equal(catalog.service, 'catalog');
    assert.equal(catalog.link?.by, 'hpa-target');
    assert.deepEqual(catalog.spec as HpaSpec, {
      type: 'hpa',
      target: { kind: 'Deployment', name: 'catalog', apiVersion: 'apps/v1' },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        { type: 'Resource', name: 'memory', target: { type: 'AverageValue', averageValue: 512 * Mi } },
        { type: 'Pods', name: 'http_requests_per_second', target: { type: 'AverageValue', averageValue: '1k' } },
      ],
    });
    const cart = find(rs, 'HorizontalPodAutoscaler', 'cart');
    assert.equal(cart.service, 'cart');
    assert.equal(cart.link?.detail, 'scaleTargetRef Deployment/cart-deployment');
    const cartSpec = cart.spec as HpaSpec;
    assert.deepEqual([cartSpec.minReplicas, cartSpec.maxReplicas], [2, 6]);
    assert.deepEqual(cartSpec.metrics, [
      { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } },
    ]);
  });

  it('links Services through the workload their selector matches', async () => {
    const rs = await list();
    const svc = find(rs, 'Service', 'catalog-svc');
    assert.equal(svc.service, 'catalog');
    assert.equal(svc.link?.by, 'service-selector');
    assert.match(svc.link!.detail, /matches Deployment catalog/);
    assert.deepEqual((svc.spec as ServiceSpec).ports, [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    const cart = find(rs, 'Service', 'cart');
    assert.equal(cart.service, 'cart');
    assert.equal((cart.spec as ServiceSpec).serviceType, 'LoadBalancer');
    assert.deepEqual((cart.spec as ServiceSpec).ports[0], {
      name: null,
      port: 443,
      targetPort: 'https',
      protocol: 'TCP',
    });
  });

  it('links by name without a kind suffix, and prefers a known service among the labels', async () => {
    const rs = await list();
    const cart = find(rs, 'Deployment', 'cart-deployment');
    assert.equal(cart.service, 'cart');
    assert.deepEqual(cart.link, { by: 'label', detail: 'label app=cart', known: true });
    const sts = find(rs, 'StatefulSet', 'orders-postgres');
    assert.equal(sts.service, 'orders', 'the known instance label wins over the unknown name label');
    assert.equal(sts.link?.detail, 'label app.kubernetes.io/instance=orders');
    assert.equal(sts.rawRef, 'k8s/orders-db.json items[0]');
    assert.deepEqual((sts.spec as WorkloadSpec).perPod.requests, { cpuMillicores: 2000, memoryBytes: 4 * Gi });
  });

  it('reads terraform show -json: Kubernetes resources like manifests, others generically, modules included', async () => {
    const rs = await list();
    const dep = find(rs, 'Deployment', 'checkout');
    assert.equal(dep.rawRef, 'terraform/show.json#kubernetes_deployment_v1.checkout');
    const spec = dep.spec as WorkloadSpec;
    assert.equal(spec.replicas, 4);
    assert.deepEqual(spec.containers[0]!.requests, { cpuMillicores: 500, memoryBytes: Gi });
    assert.deepEqual(spec.containers[0]!.limits, { cpuMillicores: 2000, memoryBytes: 2 * Gi });
    assert.deepEqual(
      dep.link,
      { by: 'label', detail: 'label app=checkout', known: false },
      'linked though no telemetry named it yet',
    );
    const hpa = find(rs, 'HorizontalPodAutoscaler', 'checkout-hpa');
    assert.equal(hpa.service, 'checkout');
    assert.deepEqual([(hpa.spec as HpaSpec).minReplicas, (hpa.spec as HpaSpec).maxReplicas], [4, 12]);
    assert.deepEqual((hpa.spec as HpaSpec).metrics, [
      { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
    ]);
    const svc = find(rs, 'Service', 'checkout-service');
    assert.equal(svc.service, 'checkout');
    assert.equal((svc.spec as ServiceSpec).ports[0]!.targetPort, 8080);

    const db = find(rs, 'aws_db_instance', 'aws_db_instance.orders');
    assert.equal(db.service, 'orders');
    assert.deepEqual((db.spec as GenericSpec).attributes, {
      instance_class: 'db.r6g.large',
      engine: 'postgres',
      engine_version: '16.3',
      allocated_storage: 100,
    });
    const cache = find(rs, 'aws_elasticache_cluster', 'module.cache.aws_elasticache_cluster.sessions');
    assert.equal(cache.service, null, 'a Terraform name alone does not make a service');
    assert.deepEqual((cache.spec as GenericSpec).attributes, {
      node_type: 'cache.t4g.small',
      num_cache_nodes: 2,
      engine: 'redis',
    });
    const nodes = find(rs, 'aws_eks_node_group', 'module.cache.module.nodes.aws_eks_node_group.workers["general"]');
    assert.deepEqual((nodes.spec as GenericSpec).attributes, {
      instance_types: 'm6i.large',
      'scaling_config.desired_size': 3,
      'scaling_config.min_size': 2,
      'scaling_config.max_size': 6,
    });
    assert.equal(
      rs.some((r) => r.kind === 'aws_caller_identity'),
      false,
      'data sources are not resources',
    );
  });

  it('never stores secrets: Secret objects, env values, annotations and Terraform passwords', async () => {
    const all = JSON.stringify(await list());
    for (const secret of [
      'hunter2-in-a-secret',
      's3cret-in-env',
      'API_KEY_FROM_SECRET',
      'last-applied-configuration',
      'hunter2-in-terraform',
    ]) {
      assert.equal(all.includes(secret), false, secret);
    }
  });

  it('GET /api/infra filters by service', async () => {
    const rs = await list('?service=cart');
    assert.deepEqual(rs.map((r) => `${r.kind}/${r.name}`).sort(), [
      'Deployment/cart-deployment',
      'HorizontalPodAutoscaler/cart',
      'Service/cart',
    ]);
  });

  it('a re-import of the same source replaces its rows; other sources stay', async () => {
    const other = await post({ source: 'other', files: [fixture('k8s/orders-db.json')] });
    assert.equal(other.statusCode, 200);
    const res = await post({ source: 'shop-infra', files: [fixture('k8s/shop.yaml')] });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().replaced, 13);
    const rs = await list();
    assert.equal(rs.filter((r) => r.source === 'shop-infra').length, 6);
    assert.equal(rs.filter((r) => r.source === 'other').length, 1);
    assert.equal(
      rs.some((r) => r.name === 'checkout'),
      false,
    );
  });

  it('a broken YAML file is a 400 naming the file and line, and nothing is written', async () => {
    const before = await list();
    const res = await post({
      source: 'shop-infra',
      files: [fixture('terraform/show.json'), fixture('broken/bad.yaml')],
    });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.file, 'broken/bad.yaml');
    assert.equal(body.line, 13, 'where the unclosed flow collection is detected');
    assert.match(body.message, /^broken\/bad\.yaml:13: invalid YAML: .*\(nothing was imported\)$/);
    assert.deepEqual(await list(), before);
  });

  it('broken JSON, an alias bomb and an empty file list are 400s too', async () => {
    const json = await post({
      files: [{ path: 'tf.json', content: '{\n  "format_version": "1.0",\n  "values": {,\n}' }],
    });
    assert.equal(json.statusCode, 400);
    assert.equal(json.json().file, 'tf.json');
    assert.equal(json.json().line, 3);
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    const alias = await post({ files: [{ path: 'bomb.yaml', content: bomb }] });
    assert.equal(alias.statusCode, 400);
    assert.match(alias.json().message, /bomb\.yaml:1: invalid YAML: .*alias/i);
    const empty = await post({ files: [] });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().message, /files: give at least one file/);
  });

  it('accepts bodies over the 1 MiB API default (up to 16 MiB)', async () => {
    const pad = `# ${'x'.repeat(2 * 1024 * 1024)}\n`;
    const res = await post({
      source: 'big',
      files: [{ path: 'big.yaml', content: pad + fixture('k8s/shop.yaml').content }],
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    assert.equal(res.json().imported.Deployment, 2);
  });
});
