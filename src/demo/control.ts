// The supervisor's control API on loopback: what Orrery's demo executor (src/act/sinks/demo) calls
// to remediate the example world, as a cluster's API would be called — roll a service back to an
// earlier tag, scale it, change an env value, turn its fault flag off, restart it. Each action
// comes with an id and runs once: a repeat is answered with the first run's result, and
// GET /actions/<id> says whether an id has run. A bearer token made at start guards it. The
// demo shares none of Orrery's code, so the JSON shapes are written here too.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceSettings } from './settings.js';
import { SHOP_SERVICES, type ShopService, type Supervisor } from './supervisor.js';
import type { Staged } from './workload.js';

type Action =
  | { kind: 'rollback'; service: string; toVersion: string }
  | { kind: 'scale'; service: string; replicas: { to: number } | null; hpaMin: { to: number } | null }
  | { kind: 'config'; service: string; name: string; to: string }
  | { kind: 'flag'; service: string; flag: string; to: 'off' | 'on' }
  | { kind: 'restart'; services: string[] }
  | { kind: 'revert' };

interface Run {
  status: 'running' | 'done' | 'failed';
  did?: string[];
  undo?: string;
  message?: string;
  done: Promise<void>;
}

/** What the control API needs of the world: the supervisor, a tag's commit, and a release that records the deploy. */
export interface ControlTarget {
  supervisor: Supervisor;
  tags: ReadonlyMap<string, string>;
  release(staged: Staged): Promise<void>;
}

class Refusal extends Error {}

export class ControlServer {
  readonly token = randomBytes(24).toString('hex');
  private readonly runs = new Map<string, Run>();
  private target: ControlTarget | null = null;
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async listen(): Promise<ControlServer> {
    let self: ControlServer | null = null;
    const server = http.createServer((req, res) => void self?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new ControlServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** The world it acts on, once the supervisor exists; until then it answers 503. */
  bind(target: ControlTarget): void {
    this.target = target;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  private versionsOf(service: string): string[] {
    const prefix = `${service}/v`;
    return [...(this.target?.tags.keys() ?? [])].filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));
  }

  private state() {
    const sup = this.target!.supervisor;
    return {
      services: SHOP_SERVICES.flatMap((service) => {
        const r = sup.running(service);
        if (!r) return [];
        return [
          {
            service,
            version: r.version,
            replicas: r.replicas.length,
            hpa: r.manifest.hpa ? { min: r.manifest.hpa.min, max: r.manifest.hpa.max } : null,
            env: r.manifest.env,
            flags: {
              errorRate:
                sup.failureOf(service)?.mode === 'errors' ? (sup.failureOf(service) as { rate: number }).rate : 0,
            },
            versions: this.versionsOf(service),
          },
        ];
      }),
    };
  }

  private service(name: string): ShopService {
    if (!(SHOP_SERVICES as readonly string[]).includes(name)) throw new Refusal(`the shop has no service "${name}"`);
    if (!this.target!.supervisor.running(name as ShopService)) throw new Refusal(`${name} is not running`);
    return name as ShopService;
  }

  private withSettings(service: ShopService, change: (s: ServiceSettings) => void): void {
    const sup = this.target!.supervisor;
    const all = { ...sup.currentSettings() };
    const s: ServiceSettings = { ...(all[service] ?? {}), env: { ...(all[service]?.env ?? {}) } };
    change(s);
    all[service] = s;
    sup.setSettings(all);
  }

  private async act(a: Action): Promise<{ did: string[]; undo: string }> {
    const t = this.target!;
    const sup = t.supervisor;
    switch (a.kind) {
      case 'rollback': {
        const service = this.service(a.service);
        const from = sup.running(service)!.version;
        const tag = `${service}/v${a.toVersion}`;
        const sha = t.tags.get(tag);
        if (!sha) throw new Refusal(`no tag ${tag}: ${service} can deploy ${this.versionsOf(service).join(', ')}`);
        await t.release(await sup.stage(service, tag, sha));
        return {
          did: [`deployed ${tag} (${sha.slice(0, 10)}) in place of ${from}; traffic switched, old replicas stopped`],
          undo: `deploy ${service} ${from} again`,
        };
      }
      case 'scale': {
        const service = this.service(a.service);
        const before = sup.running(service)!.replicas.length;
        this.withSettings(service, (s) => {
          if (a.replicas) s.replicas = a.replicas.to;
          if (a.hpaMin) s.hpaMin = a.hpaMin.to;
        });
        const r = await sup.redeploy(service);
        return {
          did: [`redeployed ${service} ${r.version} with ${r.replicas.length} replicas (was ${before})`],
          undo: `scale ${service} back to ${before}`,
        };
      }
      case 'config': {
        const service = this.service(a.service);
        const was = sup.running(service)!.manifest.env[a.name];
        if (was === undefined) throw new Refusal(`${service}'s manifest declares no env ${a.name}`);
        this.withSettings(service, (s) => {
          s.env[a.name] = a.to;
        });
        const r = await sup.redeploy(service);
        return {
          did: [`redeployed ${service} ${r.version} with ${a.name}=${a.to} (was ${was})`],
          undo: `set ${a.name}=${was} and redeploy`,
        };
      }
      case 'flag': {
        const service = this.service(a.service);
        if (a.flag !== 'errorRate') throw new Refusal(`${service}'s flag file has only errorRate`);
        if (a.to === 'on') throw new Refusal('turning errorRate on is a fault injection, not a remediation');
        const was = sup.failureOf(service);
        sup.setFailure(service, was && was.mode !== 'errors' ? was : null);
        return {
          did: [`set ${service}'s errorRate flag to 0 (was ${was?.mode === 'errors' ? was.rate : 0})`],
          undo: 'nothing to undo: the flag was a fault',
        };
      }
      case 'restart': {
        const did: string[] = [];
        for (const name of a.services) {
          const r = await sup.redeploy(this.service(name));
          did.push(`restarted ${name} ${r.version}: ${r.replicas.length} new replicas`);
        }
        return { did, undo: 'nothing to undo: a restart changes no setting' };
      }
      default:
        throw new Refusal('the supervisor deploys tags, not commits: a revert goes through git');
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    let body = '';
    for await (const c of req) body += c;
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { message: 'a bearer token is needed' });
    if (!this.target) return send(503, { message: 'the world is starting' });
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/state') return send(200, this.state());
    const m = /^\/actions\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const run = this.runs.get(decodeURIComponent(m[1]!));
      if (!run) return send(404, { message: 'no such action' });
      const { done: _, ...rest } = run;
      return send(200, rest);
    }
    if (req.method === 'POST' && url.pathname === '/actions') {
      let parsed: { id?: unknown; action?: Action };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return send(400, { message: 'the body is not JSON' });
      }
      const id = typeof parsed.id === 'string' ? parsed.id : null;
      if (!id || !parsed.action) return send(400, { message: 'expected {id, action}' });
      let run = this.runs.get(id);
      if (!run) {
        const r: Run = { status: 'running', done: Promise.resolve() };
        r.done = this.act(parsed.action).then(
          (x) => {
            Object.assign(r, { status: 'done', ...x });
          },
          (err: Error) => {
            Object.assign(r, { status: 'failed', message: err.message });
            // A refusal changed nothing: the id is forgotten, so it reads as never run.
            if (err instanceof Refusal) this.runs.delete(id);
          },
        );
        this.runs.set(id, r);
        run = r;
      }
      await run.done;
      const { done: _, ...rest } = run;
      return send(run.status === 'done' ? 200 : 409, rest);
    }
    return send(404, { message: 'not found' });
  }
}
