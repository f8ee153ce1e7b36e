#!/usr/bin/env bash
# Builds a git repository to run `npm run bench -- index --path DIR` against when no large
# repository is checked out: Python's standard library plus a few npm packages from this
# project's node_modules (TypeScript/JavaScript), committed once. Usage: make-index-corpus.sh [DIR]
set -euo pipefail
out=${1:-/tmp/orrery-index-corpus}
root=$(cd "$(dirname "$0")/.." && pwd)
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
rm -rf "$out"
mkdir -p "$out/pkgs"
cp -r "$stdlib" "$out/py"
rm -rf "$out/py/site-packages" "$out/py/test"
find "$out/py" -name __pycache__ -prune -exec rm -rf {} +
for p in @opentelemetry commander dependency-cruiser fastify pg pino protobufjs zod; do
  [ -d "$root/node_modules/$p" ] && cp -r "$root/node_modules/$p" "$out/pkgs/"
done
git -C "$out" init -q
git -C "$out" add -A
git -C "$out" -c user.name=bench -c user.email=bench@example.invalid commit -qm "index benchmark corpus"
echo "$out: $(git -C "$out" ls-files | wc -l) files"
