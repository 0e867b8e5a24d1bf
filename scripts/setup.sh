#!/usr/bin/env bash
# Installs everything the tests need on a clean machine: Node dependencies (which bring Node 22),
# Debian tools (bats, shellcheck, zip, a JDK for jar), a project-local Python venv (moto, hadolint,
# a current AWS CLI, zizmor, detect-secrets)
# and actionlint built from the Go module proxy. Safe to run again: each step is skipped when done.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for tool in bats shellcheck zip unzip jq git python3; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
# jar writes one of the archive kinds the zip guard tests extract.
command -v jar >/dev/null 2>&1 || need_apt+=(default-jdk-headless)
if ((${#need_apt[@]})); then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" python3-venv >/dev/null
fi

bash scripts/node-deps.sh

venv=.venv
if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup: creating $venv"
  python3 -m venv "$venv"
fi
if ! cmp -s requirements-dev.txt "$venv/.requirements-installed"; then
  echo "setup: pip install -r requirements-dev.txt"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt "$venv/.requirements-installed"
fi

# actionlint: the PyPI wrapper downloads its binary from outside the registries, so build the
# upstream tool from the Go module proxy into the venv's bin (about 30 s, once).
actionlint_version=v1.7.12
if ! "$venv/bin/actionlint" --version 2>/dev/null | grep -qx "$actionlint_version"; then
  echo "setup: go install actionlint@$actionlint_version"
  GOBIN="$PWD/$venv/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
fi
