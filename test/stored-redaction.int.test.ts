// Everything Orrery stores goes through the one redactor (redact@2) when redaction is on, on
// both backends, through the real routes: span names and the fields lifted from attributes
// (OTLP), every ticket field on every path (POST /api/tickets, a webhook, an import), deploy
// attributes and versions (recorded and inferred), Terraform tags and Kubernetes labels. Each
// check reads what was stored (the rows) and what is returned (the API's answers).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyedHash } from '../src/analysis/index.js';
import { loadConfig } from '../src/config/index.js';
import { compileRedactor } from '../src/ingest/transforms/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import { type OrreryServer, buildServer } from '../src/server/index.js';
import { BatchWriter, EMAIL_HASH_KEY, type Store, instanceSecret } from '../src/store/index.js';
import type { Context } from '../src/workflows/index.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

/** One secret of each kind, as people paste them, and the part that must never be stored. */
const SECRETS = [
  { kind: 'card', text: 'card 4111-1111-1111-1111', clear: '4111-1111-1111-1111' },
  { kind: 'bearer', text: 'Bearer abcDEF123456789xyz', clear: 'abcDEF123456789xyz' },
  { kind: 'basic', text: 'Basic dXNlcjpwYXNzd29yZA==', clear: 'dXNlcjpwYXNzd29yZA' },
  { kind: 'aws', text: 'key AKIAIOSFODNN7EXAMPLE', clear: 'AKIAIOSFODNN7EXAMPLE' },
  {
    kind: 'jwt',
    text: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz',
    clear: 'eyJzdWIiOiIxIn0',
  },
  { kind: 'github', text: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', clear: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' },
  { kind: 'stripe', text: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', clear: '4eC39HqLyjWDarjtT1zdp7dc' },
  { kind: 'password', text: 'password=hunter2hunter2', clear: 'hunter2hunter2' },
  { kind: 'api_key', text: 'api_key=k3yv4lu3abc', clear: 'k3yv4lu3abc' },
  { kind: 'url_token', text: 'https://shop.example.com/reset?token=t0k3nAbc123', clear: 't0k3nAbc123' },
] as const;

interface Orrery {
  server: OrreryServer;
  ctx: Context;
  store: Store;
  cleanup(): Promise<void>;
}

/** An in-process Orrery on the given backend, with the redactor built as `orrery up` builds it (ORRERY_REDACT=on). */
async function orreryOn(backend: 'pglite' | 'postgres'): Promise<Orrery> {
  const { store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres();
  const config = loadConfig({}, { logLevel: 'silent' });
  const metrics = new SelfMetrics();
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: 1,
    maxQueuedRecords: config.maxQueuedRecords,
    maxQueueWaitMs: config.maxQueueWaitMs,
    maxBatchRecords: 20_000,
  });
  const ctx: Context = {
    store,
    writer,
    metrics,
    redactor: compileRedactor({ hashKey: await instanceSecret(store.db, EMAIL_HASH_KEY) }),
  };
  const server = buildServer(ctx, config, { allowAnonymousLoopback: true, version: 'test' });
  await Promise.all([server.api.ready(), server.otlp.ready()]);
  return {
    server,
    ctx,
    store,
    async cleanup() {
      await server.close();
      await cleanup();
    },
  };
}

/** Fails naming the secret and where it was found. */
function assertNoClear(where: string, text: string, clear: readonly string[]): void {
  for (const c of clear) assert.equal(text.includes(c), false, `${where} holds ${c} in clear: ${text.slice(0, 400)}`);
}

const TICKET_FIELDS = ['title', 'body', 'status', 'url', 'labels', 'priority', 'comment', 'user id'] as const;
type TicketField = (typeof TICKET_FIELDS)[number];

/** A generic ticket (API body or export record) with `value` in `field` and clean text elsewhere. */
function genericTicket(id: string, source: string, field: TicketField, value: string): Record<string, unknown> {
  return {
    source,
    id,
    title: field === 'title' ? `cannot pay ${value}` : 'cannot pay',
    body: field === 'body' ? `checkout fails: ${value} (since 10:00)` : 'checkout fails',
    status: field === 'status' ? value : 'open',
    url: field === 'url' ? value : 'https://help.example.com/t/1',
    labels: field === 'labels' ? ['billing', value] : ['billing'],
    priority: field === 'priority' ? value : 'high',
    comments: field === 'comment' ? [{ id: `${id}-c1`, body: `more: ${value}` }] : [],
    ...(field === 'user id' ? { userId: value } : {}),
  };
}

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`stored redaction on ${backend}`, () => {
    let o: Orrery;
    before(async () => {
      o = await orreryOn(backend);
    });
    after(() => o?.cleanup());

    const api = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      o.server.api.inject({ method, url, payload: payload as string, headers });

    /** The stored rows of these tickets (ticket, ticket_mention, link) and what the API returns for them. */
    async function ticketsAsStoredAndReturned(externalIds: string[]): Promise<{ rows: string; returned: string }> {
      const ids = (
        await o.store.db.query<{ id: number }>('SELECT id FROM ticket WHERE external_id = ANY($1::text[])', [
          externalIds,
        ])
      ).map((r) => Number(r.id));
      assert.equal(ids.length, externalIds.length, 'every ticket was stored');
      const rows = await o.store.db.query<{ t: string }>(
        `SELECT t::text AS t FROM ticket t WHERE id = ANY($1::bigint[])
         UNION ALL SELECT m::text FROM ticket_mention m WHERE ticket_id = ANY($1::bigint[])
         UNION ALL SELECT l::text FROM link l WHERE src_kind = 'ticket' AND src_id = ANY($1::text[])`,
        [ids],
      );
      const returned: string[] = [];
      for (const id of ids) {
        const res = await api('GET', `/api/tickets/${id}`);
        assert.equal(res.statusCode, 200, res.body);
        returned.push(res.body);
      }
      returned.push((await api('GET', '/api/tickets?limit=1000')).body);
      return { rows: rows.map((r) => r.t).join('\n'), returned: returned.join('\n') };
    }

    /** The field as stored, for each ticket: it must hold a placeholder where the secret was. */
    async function storedField(externalId: string, field: TicketField): Promise<string> {
      const [row] = await o.store.db.query<{ id: number }>('SELECT id FROM ticket WHERE external_id = $1', [
        externalId,
      ]);
      const d = (await api('GET', `/api/tickets/${row!.id}`)).json();
      const t = d.ticket;
      const value = {
        title: t.title,
        body: t.body,
        status: t.sourceStatus,
        url: t.url,
        labels: t.labels.join(' '),
        priority: t.priority,
        comment: t.comments.map((c: { body: string }) => c.body).join(' '),
        'user id': d.mentions
          .filter((m: { kind: string }) => m.kind === 'user')
          .map((m: { value: string }) => m.value)
          .join(' '),
      }[field];
      return String(value);
    }

    async function checkTickets(path: string, field: TicketField, externalIds: string[]): Promise<void> {
      const { rows, returned } = await ticketsAsStoredAndReturned(externalIds);
      const clear = SECRETS.map((s) => s.clear);
      assertNoClear(`${path} ${field}: stored rows`, rows, clear);
      assertNoClear(`${path} ${field}: API answers`, returned, clear);
      for (const [i, s] of SECRETS.entries()) {
        const v = await storedField(externalIds[i]!, field);
        assert.match(v, /\[(REDACTED|CARD|JWT)\]/, `${path} ${field} ${s.kind}: ${v}`);
      }
    }

    describe('tickets through POST /api/tickets', () => {
      for (const field of TICKET_FIELDS) {
        it(`redacts every kind of secret in ${field}`, async () => {
          const source = `api-${field.replace(' ', '-')}`;
          const tickets = SECRETS.map((s) => genericTicket(`${source}-${s.kind}`, source, field, s.text));
          const res = await api('POST', '/api/tickets', { tickets });
          assert.equal(res.statusCode, 200, res.body);
          await checkTickets(
            'API',
            field,
            tickets.map((t) => t.id as string),
          );
        });
      }
    });

    describe('tickets through an import (generic JSON)', () => {
      for (const field of TICKET_FIELDS) {
        it(`redacts every kind of secret in ${field}`, async () => {
          const source = `imp-${field.replace(' ', '-')}`;
          const records = SECRETS.map((s) => {
            const t = genericTicket(`${source}-${s.kind}`, source, field, s.text);
            const { userId, ...rest } = t;
            return userId === undefined ? rest : { ...rest, 'user id': userId };
          });
          const res = await api('POST', '/api/tickets/import?format=generic-json', JSON.stringify(records), {
            'content-type': 'application/json',
          });
          assert.equal(res.statusCode, 200, res.body);
          await checkTickets(
            'import',
            field,
            records.map((t) => t.id as string),
          );
        });
      }
    });

    describe('tickets through a webhook (GitHub)', () => {
      const WEBHOOK_FIELDS = ['title', 'body', 'status', 'url', 'labels', 'comment'] as const;
      for (const field of WEBHOOK_FIELDS) {
        it(`redacts every kind of secret in ${field}`, async () => {
          const repo = `acme/hook-${field}`;
          const ids: string[] = [];
          for (const [i, s] of SECRETS.entries()) {
            const issue = {
              number: i + 1,
              title: field === 'title' ? `cannot pay ${s.text}` : 'cannot pay',
              body: field === 'body' ? `checkout fails: ${s.text}` : 'checkout fails',
              state: field === 'status' ? s.text : 'open',
              html_url: field === 'url' ? s.text : `https://github.com/${repo}/issues/${i + 1}`,
              labels: field === 'labels' ? [{ name: 'bug' }, { name: s.text }] : [{ name: 'bug' }],
              user: { login: 'mkowalski' },
              created_at: '2026-11-21T09:12:44Z',
            };
            const comment = field === 'comment';
            const payload = {
              action: comment ? 'created' : 'opened',
              issue,
              repository: { full_name: repo },
              ...(comment ? { comment: { id: 900 + i, body: `more: ${s.text}`, user: { login: 'ops' } } } : {}),
            };
            const res = await api('POST', '/webhooks/github', JSON.stringify(payload), {
              'content-type': 'application/json',
              'x-github-event': comment ? 'issue_comment' : 'issues',
            });
            assert.equal(res.statusCode, 200, res.body);
            ids.push(`${repo}#${i + 1}`);
          }
          await checkTickets('webhook', field, ids);
        });
      }
    });

    it('tickets keep mentioned emails as keyed hashes, so users still join across sources', async () => {
      const res = await api('POST', '/api/tickets', {
        source: 'join',
        id: 'J-1',
        title: 'jane.doe@example.com cannot pay, Bearer abcDEF123456789xyz',
        userId: 'jane.doe@example.com',
      });
      assert.equal(res.statusCode, 200, res.body);
      const key = await instanceSecret(o.store.db, EMAIL_HASH_KEY);
      const hash = keyedHash(key, 'jane.doe@example.com');
      const d = (await api('GET', `/api/tickets/${res.json().tickets[0].id}`)).json();
      assert.equal(d.ticket.title, `[email ${hash}] cannot pay, Bearer [REDACTED]`);
      const values = d.mentions.map((m: { kind: string; value: string }) => `${m.kind}:${m.value}`);
      assert.ok(values.includes(`email:${hash}`), values.join(' '));
      // A user id given as a field is an identity: its email becomes the hash telemetry's user ids get.
      assert.ok(values.includes(`user:${hash}`), values.join(' '));
      const byEmail = (await api('GET', '/api/tickets?email=jane.doe@example.com')).json().tickets;
      assert.ok(byEmail.some((t: { externalId: string }) => t.externalId === 'J-1'));
    });

    it('span names and the fields lifted from attributes, one stored name per endpoint', async () => {
      const span = (name: string, i: number) => ({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: (i + 1).toString(16).padStart(16, '0'),
        name,
        kind: 2,
        startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
        endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
        attributes: [{ key: 'http.route', value: { stringValue: `/users/${i}@example.com` } }],
      });
      const resource = {
        'service.name': 'users',
        'service.version': '2.0.0+ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
        'deployment.environment.name': 'staging?api_key=k3yv4lu3abc',
      };
      const body = {
        resourceSpans: [
          {
            resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } })) },
            scopeSpans: [
              {
                scope: { name: 'test' },
                spans: [
                  span('GET /users/alice@example.com', 0),
                  span('GET /users/bob@example.com', 1),
                  span('GET /reset?token=t0k3nAbc123', 2),
                ],
              },
            ],
          },
        ],
      };
      const res = await o.server.otlp.inject({
        method: 'POST',
        url: '/v1/traces',
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const rows = await o.store.db.query<{ name: string; service_version: string; environment: string }>(
        "SELECT name, service_version, environment, http_route FROM span WHERE service = 'users' ORDER BY span_id",
      );
      assert.deepEqual(
        rows.map((r) => r.name),
        ['GET /users/[EMAIL]', 'GET /users/[EMAIL]', 'GET /reset?token=[REDACTED]'],
      );
      const stored = JSON.stringify(rows);
      assertNoClear('span rows', stored, [
        'alice@',
        'bob@',
        '@example.com',
        't0k3nAbc123',
        'A1b2C3d4E5f6',
        'k3yv4lu3abc',
      ]);
      // The inferred deploy takes its version and environment from the same, redacted, fields.
      const deploys = JSON.stringify((await api('GET', '/api/deploys?service=users')).json());
      assert.match(deploys, /2\.0\.0\+\[REDACTED\]/);
      assertNoClear('inferred deploys', deploys, ['A1b2C3d4E5f6', 'k3yv4lu3abc']);
    });

    it('deploy attributes, version and environment from POST /api/deploys', async () => {
      const res = await api('POST', '/api/deploys', {
        service: 'cart',
        version: '1.4.0?token=t0k3nAbc123',
        environment: 'prod',
        attributes: {
          pipeline: 'https://ci.example.com/run/42?token=t0k3nAbc123',
          'ci.token': 'hunter2hunter2',
          deployer: 'jane.doe@example.com',
          notes: ['Authorization: Bearer abcDEF123456789xyz', { aws: 'AKIAIOSFODNN7EXAMPLE' }],
          approvals: 2,
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const d = res.json().deploy;
      assert.deepEqual(d.attributes, {
        pipeline: 'https://ci.example.com/run/42?token=[REDACTED]',
        'ci.token': '[REDACTED]',
        deployer: '[EMAIL]',
        notes: ['Authorization: Bearer [REDACTED]', { aws: '[REDACTED]' }],
        approvals: 2,
      });
      assert.equal(d.version, '1.4.0?token=[REDACTED]');
      const rows = JSON.stringify(await o.store.db.query("SELECT * FROM deploy WHERE service = 'cart'"));
      const listed = (await api('GET', '/api/deploys?service=cart')).body;
      for (const [where, text] of [
        ['deploy rows', rows],
        ['GET /api/deploys', listed],
      ] as const) {
        assertNoClear(where, text, [
          't0k3nAbc123',
          'hunter2hunter2',
          'jane.doe@',
          'abcDEF123456789xyz',
          'AKIAIOSFODNN7EXAMPLE',
        ]);
      }
    });

    it('Terraform tags and Kubernetes labels; env values and annotations are never kept', async () => {
      const terraform = {
        format_version: '1.0',
        values: {
          root_module: {
            resources: [
              {
                address: 'aws_db_instance.orders',
                mode: 'managed',
                type: 'aws_db_instance',
                name: 'orders',
                values: {
                  instance_class: 'db.r6g.large',
                  tags: {
                    owner: 'jane.doe@example.com',
                    api_token: 'hunter2hunter2',
                    runbook: 'https://wiki.example.com/db?token=t0k3nAbc123',
                    note: 'password=hunter2hunter2',
                  },
                },
              },
            ],
          },
        },
      };
      const manifest = [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: billing',
        '  labels:',
        '    app: billing',
        '    aws-key: AKIAIOSFODNN7EXAMPLE',
        '  annotations:',
        '    note: "password=annotationSecret1"',
        'spec:',
        '  replicas: 2',
        '  selector:',
        '    matchLabels: { app: billing }',
        '  template:',
        '    metadata:',
        '      labels: { app: billing, stripe: sk_live_4eC39HqLyjWDarjtT1zdp7dc }',
        '    spec:',
        '      containers:',
        '        - name: billing',
        '          image: registry.example.com/billing:1.0',
        '          env:',
        '            - { name: DB_PASSWORD, value: envSecretValue1 }',
        '            - { name: NOTE, value: "Bearer abcDEF123456789xyz" }',
        '            - { name: UPSTREAM_URL, value: "https://svc:pa55w0rdInUrl@upstream.example" }',
        '            - { name: DB_POOL_SIZE, value: "4" }',
      ].join('\n');
      const res = await api('POST', '/api/infra/import', {
        source: 'redaction',
        files: [
          { path: 'tf/show.json', content: JSON.stringify(terraform) },
          { path: 'k8s/billing.yaml', content: manifest },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const listed = (await api('GET', '/api/infra?source=redaction')).json().resources as Array<{
        kind: string;
        labels: Record<string, string>;
        spec: { podLabels?: Record<string, string>; containers?: Array<{ env?: Record<string, string> }> };
      }>;
      const db = listed.find((r) => r.kind === 'aws_db_instance')!;
      assert.deepEqual(db.labels, {
        owner: '[EMAIL]',
        api_token: '[REDACTED]',
        runbook: 'https://wiki.example.com/db?token=[REDACTED]',
        note: 'password=[REDACTED]',
      });
      const billing = listed.find((r) => r.kind === 'Deployment')!;
      assert.equal(billing.labels['aws-key'], '[REDACTED]');
      assert.equal(billing.spec.podLabels?.stripe, '[REDACTED]');
      // Literal env settings are kept (capacity simulation reads them), their values redacted.
      const env = billing.spec.containers?.[0]?.env ?? {};
      assert.deepEqual(Object.keys(env).sort(), ['DB_POOL_SIZE', 'NOTE', 'UPSTREAM_URL']);
      assert.equal(env.DB_POOL_SIZE, '4');
      assert.equal(env.UPSTREAM_URL, 'https://svc:[REDACTED]@upstream.example');
      const rows = JSON.stringify(await o.store.db.query("SELECT * FROM infra_resource WHERE source = 'redaction'"));
      for (const [where, text] of [
        ['infra rows', rows],
        ['GET /api/infra', JSON.stringify(listed)],
        ['import answer', res.body],
      ] as const) {
        assertNoClear(where, text, [
          'jane.doe@',
          'hunter2hunter2',
          't0k3nAbc123',
          'AKIAIOSFODNN7EXAMPLE',
          '4eC39HqLyjWDarjtT1zdp7dc',
          'annotationSecret1',
          'envSecretValue1',
          'abcDEF123456789xyz',
          'pa55w0rdInUrl',
        ]);
      }
    });
  });
}
