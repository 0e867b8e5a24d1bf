#!/usr/bin/env bash
# Installs the Node dependencies (they bring Node 22, the project's runtime) when node_modules is
# missing or older than package-lock.json: `npm ci`, its output on stderr. Used by scripts/setup.sh
# and by `npm run preview`, so that the README's first command works on a fresh clone.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x node_modules/.bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci (first use: installing the Node dependencies)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
