// `orrery infra import|list`: infrastructure from Kubernetes manifests and `terraform show
// -json` output. The CLI reads the files and posts them; the server parses, links and stores.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { InfraImportResult, InfraResource, InfraSpec } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform']);
/** The server's body limit for an import (see docs/api.md). */
const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

/** The manifest and Terraform files under `root` (or `root` itself), sorted, skipping VCS and dependency folders. */
export function collectInfraFiles(root: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(root);
  } catch {
    throw new CliError(`${root}: no such file or directory`, EXIT.usage);
  }
  if (st.isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase())) {
        out.push(p);
      }
    }
  };
  walk(root);
  return out;
}

const mi = (bytes: number | null) =>
  bytes === null ? '?' : bytes >= 2 ** 30 ? `${+(bytes / 2 ** 30).toFixed(2)}Gi` : `${+(bytes / 2 ** 20).toFixed(1)}Mi`;

function summary(spec: InfraSpec): string {
  switch (spec.type) {
    case 'workload': {
      const r = spec.perPod.requests;
      const reqs =
        r.cpuMillicores === null && r.memoryBytes === null
          ? ''
          : `, requests ${r.cpuMillicores ?? '?'}m/${mi(r.memoryBytes)} per pod`;
      return `replicas ${spec.replicas ?? 'unset'}${reqs}`;
    }
    case 'hpa': {
      const amount = (name: string, v: number | string | undefined) =>
        typeof v !== 'number' ? (v ?? '') : name === 'cpu' ? `${v}m` : name === 'memory' ? mi(v) : String(v);
      const targets = spec.metrics.map(
        (m) =>
          `${m.name} ${m.target.averageUtilization !== undefined ? `${m.target.averageUtilization}%` : amount(m.name, m.target.averageValue ?? m.target.value)}`,
      );
      return `${spec.minReplicas}–${spec.maxReplicas ?? '?'} replicas of ${spec.target.kind}/${spec.target.name}${targets.length ? `, ${targets.join(', ')}` : ''}`;
    }
    case 'service':
      return `${spec.serviceType} ${spec.ports.map((p) => `${p.port}→${p.targetPort ?? p.port}`).join(' ')}`;
    default:
      return Object.entries(spec.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
  }
}

const where = (r: { namespace: string; name: string }) => (r.namespace ? `${r.namespace}/${r.name}` : r.name);

export function registerInfra(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const infra = program
    .command('infra')
    .description('import and list infrastructure: Kubernetes manifests and terraform show -json output')
    .addHelpText(
      'after',
      `
Examples:
  orrery infra import deploy/k8s/                 # every *.yaml, *.yml, *.json below it
  terraform show -json > tf.json && orrery infra import tf.json --source prod-terraform
  orrery infra list --service cart`,
    );

  infra
    .command('import <path>')
    .description('import a file or a folder (recursively); re-importing the same source replaces its resources')
    .option('--source <name>', 'what a later import must name to replace this one (default: the absolute path)')
    .option('--json', 'print JSON')
    .action(async (path: string, f: { source?: string; json?: boolean }, cmd: Command) => {
      const paths = collectInfraFiles(path);
      if (paths.length === 0) throw new CliError(`${path}: no *.yaml, *.yml or *.json files found`, EXIT.usage);
      const cwd = process.cwd();
      const files = paths.map((p) => {
        const abs = resolve(p);
        const rel = relative(cwd, abs);
        return { path: rel.startsWith('..') ? abs : rel, content: readFileSync(p, 'utf8') };
      });
      const bytes = files.reduce((n, x) => n + Buffer.byteLength(x.content) + x.path.length, 0);
      if (bytes > MAX_IMPORT_BYTES - 64 * 1024) {
        throw new CliError(
          `${path}: the files hold ${(bytes / 2 ** 20).toFixed(1)} MiB, over the 16 MiB one import takes; import sub-folders separately, each with its own --source`,
          EXIT.usage,
        );
      }
      const res = await client(cmd).api.request<InfraImportResult>('POST', 'api/infra/import', {
        source: f.source ?? resolve(path),
        files,
      });
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      const kinds = Object.entries(res.imported)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      process.stdout.write(
        `Imported ${res.resources.length} resources from ${files.length} files as source ${res.source}` +
          `${res.replaced ? ` (replacing ${res.replaced} from the last import)` : ''}: ${kinds || 'none'}\n\n`,
      );
      if (res.resources.length) {
        process.stdout.write(
          `${table(
            ['kind', 'resource', 'service', 'linked by'],
            res.resources.map((r) => [
              r.kind,
              where(r),
              r.service ?? '-',
              r.link ? `${r.link.detail}${r.link.known ? '' : ' (service not seen yet)'}` : '-',
            ]),
          )}\n`,
        );
      }
      if (res.skipped.length)
        process.stdout.write(
          `\nskipped ${res.skipped.length}: ${res.skipped.map((s) => `${s.ref} (${s.reason})`).join('; ')}\n`,
        );
      for (const w of res.warnings) process.stdout.write(`warning: ${w}\n`);
    });

  infra
    .command('list')
    .description('stored infrastructure resources with their normalised sizing')
    .option('--service <name>', 'only resources linked to this service')
    .option('--kind <kind>', 'only this kind, e.g. Deployment or aws_db_instance')
    .option('--json', 'print JSON')
    .action(async (f: { service?: string; kind?: string; json?: boolean }, cmd: Command) => {
      const p = new URLSearchParams();
      if (f.service !== undefined) p.set('service', f.service);
      if (f.kind !== undefined) p.set('kind', f.kind);
      const res = await client(cmd).api.request<{ resources: InfraResource[] }>('GET', `api/infra?${p}`);
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['service', 'kind', 'resource', 'sizing', 'from'],
          res.resources.map((r) => [r.service ?? '-', r.kind, where(r), summary(r.spec), r.rawRef]),
        )}\n${res.resources.length} resources\n`,
      );
    });
}
