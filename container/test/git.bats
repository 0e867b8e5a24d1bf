#!/usr/bin/env bats
# Git sources served on loopback by `git http-backend` (smart HTTP), public and private, with the
# token for the private one read from moto's Secrets Manager: clone behaviour, the credential
# helper, exit codes, and a secret that must never appear in any output, log or upload.

load helpers

TOKEN=ghp_TestTokenValue1234567890abcdefXYZ

setup_file() {
  start_moto
  local seed="$BATS_FILE_TMPDIR/seed"
  export GIT_ROOT="$BATS_FILE_TMPDIR/repos"
  mkdir -p "$GIT_ROOT/org"
  git init -q -b main "$seed"
  printf '# Demo\n' >"$seed/README.md"
  git -C "$seed" add README.md
  git -C "$seed" -c user.name=t -c user.email=t@localhost commit -q -m first
  printf 'SECRET=do-not-upload\n' >"$seed/.env"
  printf 'class App {}\n' >"$seed/App.java"
  git -C "$seed" add -A
  git -C "$seed" -c user.name=t -c user.email=t@localhost commit -q -m second
  git clone -q --bare "$seed" "$GIT_ROOT/org/app.git"
  PUBLIC_PORT=$(serve_git_repos public)
  PRIVATE_PORT=$(serve_git_repos private "$TOKEN")
  export PUBLIC_PORT PRIVATE_PORT
}

teardown_file() {
  stop_git_servers
  stop_moto
}

setup() {
  setup_job_test
  # Loopback http is allowed for these tests only; the defaults stay https and public hosts.
  export ALLOWED_GIT_SCHEMES=http ALLOWED_GIT_HOSTS=127.0.0.1
  export GIT_CREDENTIAL_SECRETS="127.0.0.1=atx/test-git-token"
}

put_secret() {
  aws secretsmanager create-secret --name atx/test-git-token --secret-string "$1" >/dev/null
}

# Fails if the token appears in stdout, stderr, the local job log or any uploaded object.
assert_token_nowhere() {
  ! grep -rqF -- "$TOKEN" "$OUT" "$ERR" "$ATX_WORK_DIR/logs"
  mkdir -p "$BATS_TEST_TMPDIR/uploaded"
  aws s3 cp --quiet --recursive "s3://$S3_BUCKET/" "$BATS_TEST_TMPDIR/uploaded/"
  [ -n "$(find "$BATS_TEST_TMPDIR/uploaded" -type f)" ]
  ! grep -rqF -- "$TOKEN" "$BATS_TEST_TMPDIR/uploaded"
}

@test "git source over loopback http: a shallow clone, atx runs in it, results uploaded without .git and .env" {
  make_buckets
  export FAKE_ATX_CONVERSATION_ID=conv-git-1
  job --source "http://127.0.0.1:$PUBLIC_PORT/org/app.git" --output g -- atx custom def exec -n t
  [ "$status" -eq 0 ]
  [ "$(cat "$FAKE_ATX_ARGV_FILE.cwd")" = "$ATX_WORK_DIR/source" ]
  [ "$(git -C "$ATX_WORK_DIR/source" rev-parse --is-shallow-repository)" = true ]
  [ "$(git -C "$ATX_WORK_DIR/source" rev-list --count HEAD)" -eq 1 ]
  run s3_keys "$S3_BUCKET" transformations/g/conv-git-1/code/
  [ "$output" = "transformations/g/conv-git-1/code/App.java
transformations/g/conv-git-1/code/README.md
transformations/g/conv-git-1/code/TRANSFORMED.md
transformations/g/conv-git-1/code/src/upgraded.txt" ]
}

@test "with the default ALLOWED_GIT_SCHEMES and ALLOWED_GIT_HOSTS the loopback http source is refused (exit 65)" {
  unset ALLOWED_GIT_SCHEMES ALLOWED_GIT_HOSTS
  job --source "http://127.0.0.1:$PUBLIC_PORT/org/app.git" --output g -- atx custom def exec
  [ "$status" -eq 65 ]
  ALLOWED_GIT_SCHEMES=http job --source "http://127.0.0.1:$PUBLIC_PORT/org/app.git" --output g -- atx custom def exec
  [ "$status" -eq 65 ]
  grep -q 'host not allowed' "$ERR"
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "private repository: the token from Secrets Manager clones it, and the token appears in no output, log or upload" {
  make_buckets
  put_secret "$TOKEN"
  printf 'debug dump: token=%s\n' "$TOKEN" >"$BATS_TEST_TMPDIR/leaky"
  export FAKE_ATX_PRINT_FILE="$BATS_TEST_TMPDIR/leaky" FAKE_ATX_CONVERSATION_ID=conv-private
  job --source "http://127.0.0.1:$PRIVATE_PORT/org/app.git" --output p -- atx custom def exec
  [ "$status" -eq 0 ]
  [ -f "$ATX_WORK_DIR/source/App.java" ]
  jq -e -s 'any(.[]; .source == "atx" and .message == "debug dump: token=***")' "$ERR"
  assert_token_nowhere
}

@test "private repository: the git credentials file is removed when the job ends" {
  make_buckets
  put_secret "$TOKEN"
  job --source "http://127.0.0.1:$PRIVATE_PORT/org/app.git" --output p -- atx custom def exec
  [ "$status" -eq 0 ]
  [ ! -e "$ATX_WORK_DIR/.runtime" ]
  ! grep -rqF -- "$TOKEN" "$ATX_WORK_DIR" "$HOME"
}

@test "private repository: a JSON secret {\"token\": ...} works as well as a bare token" {
  make_buckets
  put_secret "{\"token\": \"$TOKEN\"}"
  job --source "http://127.0.0.1:$PRIVATE_PORT/org/app.git" --output p -- atx custom def exec
  [ "$status" -eq 0 ]
  assert_token_nowhere
}

@test "private repository without a stored token: the clone is refused (exit 65) and nothing prompts" {
  make_buckets
  job --source "http://127.0.0.1:$PRIVATE_PORT/org/app.git" --output p -- atx custom def exec
  [ "$status" -eq 65 ]
  grep -q 'git credential secret unavailable' "$ERR"
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "a repository that does not exist is refused with exit 65 (no retries for a permanent error)" {
  make_buckets
  job --source "http://127.0.0.1:$PUBLIC_PORT/org/missing.git" --output g -- atx custom def exec
  [ "$status" -eq 65 ]
  ! grep -q 'retrying' "$ERR"
}

@test "a git server that cannot be reached ends the job with exit 75 after retries" {
  make_buckets
  job --source "http://127.0.0.1:$(free_port)/org/app.git" --output g -- atx custom def exec
  [ "$status" -eq 75 ]
  grep -q 'giving up after 2 attempts' "$ERR"
}

@test "fetch-git-credentials.sh stores the token 0600 for the helper and in the redaction list" {
  put_secret "$TOKEN"
  export ATX_GIT_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/rt/git-credentials" ATX_REDACT_FILE="$BATS_TEST_TMPDIR/rt/redact"
  run "$BIN/fetch-git-credentials.sh" 127.0.0.1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output != *"$TOKEN"* ]]
  [ "$(stat -c %a "$ATX_GIT_CREDENTIALS_FILE")" = 600 ]
  [ "$(stat -c %a "$ATX_REDACT_FILE")" = 600 ]
  [ "$(cat "$ATX_GIT_CREDENTIALS_FILE")" = "127.0.0.1	x-access-token	$TOKEN" ]
  grep -qxF -- "$TOKEN" "$ATX_REDACT_FILE"
  run "$BIN/git-credential-atx" get <<<$'protocol=http\nhost=127.0.0.1:8080\n'
  [ "$output" = "username=x-access-token
password=$TOKEN" ]
}

@test "the credential helper answers nothing for another host, a protocol not allowed, or a file readable by others" {
  export ATX_GIT_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/git-credentials"
  (umask 077 && printf '127.0.0.1\tx-access-token\t%s\n' "$TOKEN" >"$ATX_GIT_CREDENTIALS_FILE")
  run "$BIN/git-credential-atx" get <<<$'protocol=http\nhost=127.0.0.1\n'
  [[ $output == *"password=$TOKEN"* ]]
  run "$BIN/git-credential-atx" get <<<$'protocol=http\nhost=evil.example\n'
  [ -z "$output" ]
  ALLOWED_GIT_SCHEMES=https run "$BIN/git-credential-atx" get <<<$'protocol=http\nhost=127.0.0.1\n'
  [ -z "$output" ]
  chmod 644 "$ATX_GIT_CREDENTIALS_FILE"
  run "$BIN/git-credential-atx" get <<<$'protocol=http\nhost=127.0.0.1\n'
  [ -z "$output" ]
}

@test "a secret that is not a usable token (JSON without token) ends the job with exit 65" {
  make_buckets
  put_secret '{"user": "x"}'
  job --source "http://127.0.0.1:$PRIVATE_PORT/org/app.git" --output p -- atx custom def exec
  [ "$status" -eq 65 ]
  grep -q 'does not hold a usable token' "$ERR"
}

@test "Secrets Manager unreachable while fetching the git token: exit 75 before cloning" {
  unset SOURCE_BUCKET
  export AWS_ENDPOINT_URL="http://127.0.0.1:$(free_port)"
  job --source "http://127.0.0.1:$PRIVATE_PORT/org/app.git" --output p -- atx custom def exec
  [ "$status" -eq 75 ]
  grep -q '"message":"Secrets Manager unreachable"' "$ERR"
  [ ! -e "$ATX_WORK_DIR/source/README.md" ]
}
