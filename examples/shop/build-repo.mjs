#!/usr/bin/env node
// Builds the example shop's git repository from history/: one commit per NN-slug
// directory, in order, with the author, date, message and tags its commit.json names.
// The same semantics as Orrery's src/demo/repo-builder.ts; this one is for trying the shop
// by hand:
//
//   node examples/shop/build-repo.mjs /tmp/shop            # dates end now
//   node examples/shop/build-repo.mjs /tmp/shop --no-link  # without the node_modules link
//
// The built repository gets a node_modules symlink to Orrery's node_modules (the
// OpenTelemetry SDK), so `node --import ./lib/telemetry.js services/web/src/server.js`
// runs there as is.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const historyDir = join(here, 'history');

function listFiles(root) {
  if (!existsSync(root)) return [];
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

export function readHistory(dir = historyDir) {
  const ids = readdirSync(dir)
    .filter((d) => /^\d+-/.test(d) && statSync(join(dir, d)).isDirectory())
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  let previous = Number.POSITIVE_INFINITY;
  return ids.map((id) => {
    const meta = JSON.parse(readFileSync(join(dir, id, 'commit.json'), 'utf8'));
    const m = /^(.+?) <(.+)>$/.exec(meta.author ?? '');
    if (!m) throw new Error(`${id}: author must look like "Name <email>"`);
    if (!(meta.hoursAgo <= previous)) throw new Error(`${id}: hoursAgo must not increase`);
    previous = meta.hoursAgo;
    return {
      id,
      name: m[1],
      email: m[2],
      message: meta.message,
      hoursAgo: meta.hoursAgo,
      files: listFiles(join(dir, id, 'files')),
      delete: meta.delete ?? [],
      tags: meta.tags ?? [],
      culprit: meta.culprit ?? null,
    };
  });
}

export function buildRepo(outDir, { now = new Date(), link = true, dir = historyDir } = {}) {
  const history = readHistory(dir);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty`);
  mkdirSync(outDir, { recursive: true });
  const base = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (args, env = base) => execFileSync('git', args, { cwd: outDir, env, encoding: 'utf8' });
  git(['init', '--quiet', '--initial-branch=main']);
  const commits = [];
  for (const c of history) {
    for (const p of c.delete) rmSync(join(outDir, p), { force: true });
    for (const p of c.files) {
      mkdirSync(dirname(join(outDir, p)), { recursive: true });
      cpSync(join(dir, c.id, 'files', p), join(outDir, p));
    }
    git(['add', '--all']);
    const at = new Date(now.getTime() - c.hoursAgo * 3_600_000).toISOString();
    const who = {
      ...base,
      GIT_AUTHOR_NAME: c.name,
      GIT_AUTHOR_EMAIL: c.email,
      GIT_AUTHOR_DATE: at,
      GIT_COMMITTER_NAME: c.name,
      GIT_COMMITTER_EMAIL: c.email,
      GIT_COMMITTER_DATE: at,
    };
    git(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', c.message], who);
    const sha = git(['rev-parse', 'HEAD']).trim();
    for (const t of c.tags) git(['tag', '-a', t, '-m', t], who);
    commits.push({ id: c.id, sha, at, tags: c.tags, culprit: c.culprit });
  }
  if (link) symlinkSync(resolve(here, '..', '..', 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return commits;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, ...flags] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node examples/shop/build-repo.mjs <out-dir> [--no-link]');
    process.exit(2);
  }
  const commits = buildRepo(resolve(out), { link: !flags.includes('--no-link') });
  for (const c of commits) {
    const notes = [...c.tags, c.culprit ? `culprit: ${c.culprit.scenario}` : ''].filter(Boolean).join(', ');
    console.log(`${c.sha.slice(0, 10)} ${c.id}${notes ? `  (${notes})` : ''}`);
  }
  console.log(`built ${commits.length} commits in ${resolve(out)}`);
}
