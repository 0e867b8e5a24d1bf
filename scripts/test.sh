#!/usr/bin/env bash
# The whole test suite: installs what it needs (scripts/setup.sh), runs the mocha suites (program,
# components, policy pack, API), the container's bats suites and `npm run lint` (ESLint and Prettier,
# counted as one test), and ends with one line `N passed, N failed` summed over all of them.
# With arguments, only mocha runs, with those arguments.
set -Euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PWD/.venv/bin:$PATH"

logs=$(mktemp -d)
status=0

if ! command -v pulumi >/dev/null 2>&1; then
  if [[ "${ATX_REQUIRE_PULUMI_ENGINE:-}" == 1 ]]; then
    echo "== ATX_REQUIRE_PULUMI_ENGINE=1 and no pulumi CLI on PATH: the real-engine tests will FAIL"
  else
    echo "== NOTE: no pulumi CLI on PATH: the real-engine tests (test/engine/conformance.test.ts, deployed-state.test.ts) are SKIPPED"
  fi
fi
echo "== mocha ($(node --version))"
mocha "$@" 2>&1 | tee "$logs/mocha.log"
mocha_status=${PIPESTATUS[0]}
mocha_passed=$(sed -n 's/^ *\([0-9]\+\) passing.*/\1/p' "$logs/mocha.log" | tail -1)
mocha_failed=$(sed -n 's/^ *\([0-9]\+\) failing.*/\1/p' "$logs/mocha.log" | tail -1)
mocha_passed=${mocha_passed:-0}
mocha_failed=${mocha_failed:-0}
if ((mocha_status != 0 && mocha_failed == 0)); then
  echo "mocha exited $mocha_status without reporting a failing test: counting the run as one failure"
  mocha_failed=1
fi

bats_passed=0
bats_failed=0
if (($# == 0)) && compgen -G "container/test/*.bats" >/dev/null; then
  echo "== bats ($(bats --version))"
  bats --tap container/test 2>&1 | tee "$logs/bats.log"
  bats_status=${PIPESTATUS[0]}
  bats_passed=$(grep -c '^ok ' "$logs/bats.log" || true)
  bats_failed=$(grep -c '^not ok ' "$logs/bats.log" || true)
  if ((bats_status != 0 && bats_failed == 0)); then
    echo "bats exited $bats_status without reporting a failing test: counting the run as one failure"
    bats_failed=1
  fi
fi

lint_passed=0
lint_failed=0
if (($# == 0)); then
  echo "== lint (eslint $(eslint --version), prettier $(prettier --version))"
  if npm run --silent lint; then lint_passed=1; else lint_failed=1; fi
fi

passed=$((mocha_passed + bats_passed + lint_passed))
failed=$((mocha_failed + bats_failed + lint_failed))
((failed == 0 && passed > 0)) || status=1
echo "mocha: $mocha_passed passed, $mocha_failed failed; bats: $bats_passed passed, $bats_failed failed;" \
  "lint: $lint_passed passed, $lint_failed failed"
echo "$passed passed, $failed failed"
exit "$status"
