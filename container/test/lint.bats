#!/usr/bin/env bats
# Static checks of the job container: shellcheck, hadolint, no eval, strict mode.

load helpers

# Every shell script of the container (executables in bin/, libraries, test fixtures and helpers).
shell_scripts() {
  local f
  for f in "$CONTAINER_DIR"/bin/* "$CONTAINER_DIR"/lib/*.sh "$CONTAINER_DIR"/build/*.sh "$CONTAINER_DIR"/test/*.bash "$CONTAINER_DIR"/test/fixtures/bin/*; do
    [[ -L $f ]] && continue
    printf '%s\n' "$f"
  done
}

# Prints "file:line" for each line of the given files that uses the word eval, wherever it is
# (code or comment): the word has no place in these scripts.
find_eval() {
  local word="ev""al"
  grep -nwH -- "$word" "$@" || true
}

@test "shellcheck reports no finding in any container shell script" {
  command -v shellcheck
  mapfile -t scripts < <(shell_scripts)
  ((${#scripts[@]} >= 10))
  run shellcheck --severity=style "${scripts[@]}"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "shellcheck finds the problems it is expected to find (the check can fail)" {
  printf '#!/usr/bin/env bash\nset -Eeuo pipefail\nrm -rf $1/x\n' >"$BATS_TEST_TMPDIR/bad.sh"
  run shellcheck "$BATS_TEST_TMPDIR/bad.sh"
  [ "$status" -ne 0 ]
  [[ $output == *SC2086* ]]
}

@test "hadolint reports no finding in the Dockerfile" {
  [ -x "$VENV_BIN/hadolint" ]
  run "$VENV_BIN/hadolint" --failure-threshold style "$CONTAINER_DIR/Dockerfile"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "the Dockerfile pins its base image by digest, uses it in every stage and has no blanket hadolint ignore" {
  local df="$CONTAINER_DIR/Dockerfile"
  grep -qE '^ARG BASE_IMAGE=public\.ecr\.aws/amazonlinux/amazonlinux:2023@sha256:[0-9a-f]{64}$' "$df"
  run grep -E '^FROM ' "$df"
  [ "${#lines[@]}" -ge 2 ]
  local line
  for line in "${lines[@]}"; do
    [[ $line =~ ^FROM\ \$\{BASE_IMAGE\}(\ AS\ [a-z-]+)?$ ]]
  done
  ! grep -nE 'hadolint global ignore' "$df"
  ! [ -e "$CONTAINER_DIR/.hadolint.yaml" ]
  # every targeted ignore is explained by a comment right above it
  run grep -n -B1 'hadolint ignore=' "$df"
  [[ $output != *"-FROM"* && $output != *"-RUN"* ]]
}

@test "the Dockerfile runs as UID 1000, has a HEALTHCHECK running atx, OCI labels and the entrypoint script" {
  local df="$CONTAINER_DIR/Dockerfile"
  grep -qx 'USER 1000:1000' "$df"
  grep -qE '^HEALTHCHECK .*CMD \["atx", "--version"\]$' "$df"
  grep -q 'org.opencontainers.image.title=' "$df"
  grep -q 'org.opencontainers.image.base.digest=' "$df"
  grep -qx 'ENTRYPOINT \["/opt/atx/bin/entrypoint.sh"\]' "$df"
  # the scripts are copied after every toolchain layer
  [ "$(grep -n 'COPY --chown=0:0 --chmod=0755 bin/' "$df" | cut -d: -f1)" -gt "$(grep -n 'RUN /build/link-toolchains.sh' "$df" | tail -n1 | cut -d: -f1)" ]
}

@test "the build context ignores everything but the files the Dockerfile copies" {
  local di="$CONTAINER_DIR/.dockerignore"
  [ "$(head -n 10 "$di" | grep -cx '\*')" -eq 1 ]
  run grep -E '^!' "$di"
  [ "$output" = "!bin/
!lib/
!build/
!upload-exclusions.txt" ]
  # every COPY source from the context is allowed by it
  local src
  for src in $(grep -E '^COPY ' "$CONTAINER_DIR/Dockerfile" | grep -v -- '--from=' | sed -E 's/^COPY (--[a-z]+=[^ ]+ )*//; s/ [^ ]+$//'); do
    [[ $src == bin/ || $src == lib/ || $src == build/* || $src == upload-exclusions.txt ]]
  done
}

@test "no container script evaluates strings as shell code (the builtin is absent)" {
  mapfile -t scripts < <(shell_scripts)
  scripts+=("$CONTAINER_DIR"/lib/*.py "$CONTAINER_DIR"/test/fixtures/*.py "$CONTAINER_DIR"/Dockerfile)
  run find_eval "${scripts[@]}"
  echo "$output"
  [ -z "$output" ]
}

@test "the string-evaluation check flags a script that uses the builtin (the check can fail)" {
  printf '#!/usr/bin/env bash\ncmd="ls"\n%s "$cmd"\n' "ev""al" >"$BATS_TEST_TMPDIR/uses.sh"
  run find_eval "$BATS_TEST_TMPDIR/uses.sh"
  [[ $output == *uses.sh:3:* ]]
}

@test "every executable script is bash in strict mode (set -Eeuo pipefail) with no blanket shellcheck disable" {
  local f bad=()
  for f in "$CONTAINER_DIR"/bin/* "$CONTAINER_DIR"/build/*.sh "$CONTAINER_DIR"/test/fixtures/bin/*; do
    [[ -L $f ]] && continue
    [[ -x $f ]] || bad+=("$f: not executable")
    [[ $(head -n 1 "$f") == '#!/usr/bin/env bash' ]] || bad+=("$f: not a bash script")
    grep -qx 'set -Eeuo pipefail' "$f" || bad+=("$f: no set -Eeuo pipefail")
  done
  if grep -rn 'disable=all\|^# shellcheck disable=SC[0-9]*$' "$CONTAINER_DIR"/bin "$CONTAINER_DIR"/lib; then
    bad+=("blanket or uncommented shellcheck disable")
  fi
  printf '%s\n' "${bad[@]}"
  [ "${#bad[@]}" -eq 0 ]
}

@test "the Python helpers (zip guard, test fixtures) compile" {
  PYTHONPYCACHEPREFIX="$BATS_TEST_TMPDIR/pyc" run python3 -m py_compile "$CONTAINER_DIR"/lib/*.py "$CONTAINER_DIR"/test/fixtures/*.py
  echo "$output"
  [ "$status" -eq 0 ]
}
