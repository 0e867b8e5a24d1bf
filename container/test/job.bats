#!/usr/bin/env bats
# Whole jobs through bin/entrypoint.sh against moto (S3) with the stand-in atx: sources, results
# layout, conversation ids, inert commands, MCP configuration, credentials refresh and every exit
# code of the contract. One canonical job runs once in setup_file; several tests check its
# results.

load helpers

exec_cmd=(atx custom def exec -n AWS/java-version-upgrade -x -t)

# Runs the entrypoint; sets status, keeps stdout and stderr apart in $OUT and $ERR.
setup_file() {
  start_moto
  # The canonical job: S3 zip source, MCP configuration present, no --output (so the Batch job
  # id names the output path), and a command full of shell syntax.
  CANON="$BATS_FILE_TMPDIR/canonical"
  mkdir -p "$CANON"
  export CANON
  job_env "$CANON"
  export CANARY="$CANON/canary"
  python3 "$FIXTURES/make_zip.py" "$CANON/project.zip" project
  printf '{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}}' >"$CANON/mcp.json"
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/project.zip=$CANON/project.zip" \
    "s3://$SOURCE_BUCKET/config/mcp.json=$CANON/mcp.json"
  CANON_ARGS=(atx custom def exec -n "x; touch $CANARY" --config "\$(touch $CANARY)" "\`touch $CANARY\`"
    "> $CANARY" "| tee $CANARY" "&& touch $CANARY" '${HOME}' "'quoted' \"double\"" $'new\nline' '*' ''
    --output "-- --source")
  printf '%s\0' "${CANON_ARGS[@]:1}" >"$CANON/expected-argv"
  export FAKE_ATX_CONVERSATION_ID=conv-zip-0001
  OUT="$CANON/stdout" ERR="$CANON/stderr"
  job --source "s3://$SOURCE_BUCKET/uploads/u1/project.zip" -- "${CANON_ARGS[@]}" >"$CANON/trace"
  echo "$status" >"$CANON/status"
  s3_keys "$S3_BUCKET" >"$CANON/keys"
  export CANON_BASE="transformations/$AWS_BATCH_JOB_ID/conv-zip-0001"
  s3_cat "$S3_BUCKET" "$CANON_BASE/logs/job.log" >"$CANON/job.log" || true
  s3_cat "$S3_BUCKET" "$CANON_BASE/code/README.md" >"$CANON/README.md" || true
}

teardown_file() {
  stop_moto
}

setup() {
  setup_job_test
}

canonical_ok() {
  cat "$CANON/stderr"
  [ "$(cat "$CANON/status")" -eq 0 ]
}

@test "full job from an S3 zip: exit 0, code and logs uploaded under transformations/<job id>/<conversation id>/{code,logs}/" {
  canonical_ok
  cat "$CANON/keys"
  b=$CANON_BASE
  [ "$(cat "$CANON/keys")" = "$b/code/README.md
$b/code/TRANSFORMED.md
$b/code/bin/build.sh
$b/code/pom.xml
$b/code/src/main/java/App.java
$b/code/src/upgraded.txt
$b/logs/atx/logs/transformation.log
$b/logs/job.log" ]
}

@test "full job: atx ran in the extracted source and its changes are in the uploaded code" {
  canonical_ok
  [ "$(cat "$CANON/atx-argv.cwd")" = "$CANON/work/source" ]
  grep -q "Upgraded by the stand-in atx" "$CANON/README.md"
}

@test "full job: the command full of shell syntax reached atx byte for byte and nothing in it ran" {
  canonical_ok
  cmp "$CANON/expected-argv" "$CANON/atx-argv"
  [ ! -e "$CANARY" ]
}

@test "full job: every stderr line is a JSON log line with the Batch job id, stdout stays empty" {
  canonical_ok
  assert_json_log_lines "$CANON/stderr"
  jq -e -s --arg id "job-0-0001" 'all(.[]; .job_id == $id)' "$CANON/stderr"
  [ ! -s "$CANON/stdout" ]
}

@test "full job: the uploaded job log holds atx's output as JSON lines, with the conversation id line" {
  canonical_ok
  assert_json_log_lines "$CANON/job.log"
  jq -e -s 'any(.[]; .source == "atx" and .message == "Conversation ID: conv-zip-0001")' "$CANON/job.log"
  jq -e -s 'any(.[]; .message == "conversation id" and .found_by == "output")' "$CANON/job.log"
}

@test "full job: the MCP configuration from the source bucket was installed for atx with mode 0600" {
  canonical_ok
  cmp "$CANON/mcp.json" "$CANON/home/.aws/atx/mcp.json"
  [ "$(stat -c %a "$CANON/home/.aws/atx/mcp.json")" = 600 ]
  jq -e -s 'any(.[]; .message == "MCP configuration loaded" and .servers == "fetch")' "$CANON/stderr"
}

@test "full job: the runtime directory with the redaction list is gone when the job ends" {
  canonical_ok
  [ ! -e "$CANON/work/.runtime" ]
}

@test "a job without --source and without -- runs atx in an empty workspace and uploads its output" {
  make_buckets
  export FAKE_ATX_CONVERSATION_ID=conv-nosrc
  job --output team/o atx custom def list
  [ "$status" -eq 0 ]
  printf '%s\0' custom def list | cmp - "$FAKE_ATX_ARGV_FILE"
  run s3_keys "$S3_BUCKET"
  [ "$output" = "transformations/team/o/conv-nosrc/code/TRANSFORMED.md
transformations/team/o/conv-nosrc/code/src/upgraded.txt
transformations/team/o/conv-nosrc/logs/atx/logs/transformation.log
transformations/team/o/conv-nosrc/logs/job.log" ]
}

@test "full job from an S3 prefix downloads every object and uploads the results" {
  mkdir -p "$BATS_TEST_TMPDIR/tree"
  printf 'hello\n' >"$BATS_TEST_TMPDIR/tree/README.md"
  printf 'x = 1\n' >"$BATS_TEST_TMPDIR/tree/app.py"
  make_buckets "s3://$SOURCE_BUCKET/projects/p1/README.md=$BATS_TEST_TMPDIR/tree/README.md" \
    "s3://$SOURCE_BUCKET/projects/p1/src/app.py=$BATS_TEST_TMPDIR/tree/app.py"
  export FAKE_ATX_CONVERSATION_ID=conv-prefix-1
  job --source "s3://$SOURCE_BUCKET/projects/p1/" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/o/conv-prefix-1/code/
  [ "$output" = "transformations/o/conv-prefix-1/code/README.md
transformations/o/conv-prefix-1/code/TRANSFORMED.md
transformations/o/conv-prefix-1/code/src/app.py
transformations/o/conv-prefix-1/code/src/upgraded.txt" ]
}

@test "an S3 prefix holding a key with ../ is refused with exit 65 before anything is downloaded" {
  make_buckets "s3://$SOURCE_BUCKET/projects/p2/ok.txt=$BIN/use" \
    "s3://$SOURCE_BUCKET/projects/p2/../../escape.txt=$BIN/use"
  job --source "s3://$SOURCE_BUCKET/projects/p2/" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 65 ]
  grep -q 'hostile key' "$ERR"
  [ -z "$(find "$ATX_WORK_DIR" -name 'escape.txt' -o -name ok.txt)" ]
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "conversation id: without an id line, the conversation directory atx created is used" {
  make_buckets
  export FAKE_ATX_MODE=no-id-line FAKE_ATX_CONVERSATION_ID=conv-from-dir
  mkdir -p "$HOME/.aws/atx/custom/older-conversation"
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 0 ]
  jq -e -s 'any(.[]; .message == "conversation id" and .conversation_id == "conv-from-dir" and .found_by == "directory")' "$ERR"
  run s3_keys "$S3_BUCKET" transformations/o/conv-from-dir/logs/
  [[ $output == *logs/atx/logs/transformation.log* ]]
}

@test "conversation id: with neither an id line nor a new directory, the Batch job id is used" {
  make_buckets
  export FAKE_ATX_MODE=no-id
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" "transformations/o/$AWS_BATCH_JOB_ID/code/"
  [[ $output == *code/TRANSFORMED.md* ]]
}

@test "exit 1 when atx fails, and its results and logs are still uploaded" {
  make_buckets
  export FAKE_ATX_MODE=fail FAKE_ATX_CONVERSATION_ID=conv-failed
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 1 ]
  run s3_keys "$S3_BUCKET" transformations/o/conv-failed/
  [[ $output == *logs/job.log* ]]
  [[ $output == *code/TRANSFORMED.md* ]]
  jq -e -s 'any(.[]; .source == "atx" and (.message | contains("build does not compile")))' "$ERR"
}

@test "exit 1 (not 75) when atx itself exits 75, so Batch does not retry a failed transformation" {
  make_buckets
  export FAKE_ATX_MODE=exit75
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 1 ]
}

@test "exit 64 for usage errors: no command, a command other than atx, an unknown option, a duplicate option" {
  job --source s3://atx-source/uploads/x.zip --output o --
  [ "$status" -eq 64 ]
  job --output o -- bash -c 'touch /tmp/x'
  [ "$status" -eq 64 ]
  grep -q 'must start with atx' "$ERR"
  job --output o --bogus x -- atx custom def list
  [ "$status" -eq 64 ]
  job --output o --output p -- atx custom def list
  [ "$status" -eq 64 ]
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "exit 64 for an --output that is absolute, climbs with .. or holds odd characters" {
  local bad
  for bad in /abs/path ../up a/../../b 'a b' 'x;y' ''; do
    job --output "$bad" -- atx custom def list
    [ "$status" -eq 64 ]
  done
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "exit 64 when S3_BUCKET is missing" {
  unset S3_BUCKET
  job --output o -- atx custom def list
  [ "$status" -eq 64 ]
  grep -q 'S3_BUCKET is missing' "$ERR"
}

@test "exit 65 for a hostile zip (zip slip): atx never runs and nothing but the refusal record is uploaded" {
  python3 "$FIXTURES/make_zip.py" "$BATS_TEST_TMPDIR/slip.zip" slip
  make_buckets "s3://$SOURCE_BUCKET/uploads/u2/slip.zip=$BATS_TEST_TMPDIR/slip.zip"
  job --source "s3://$SOURCE_BUCKET/uploads/u2/slip.zip" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 65 ]
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
  [ -z "$(find "$BATS_TEST_TMPDIR" -name evil-slip.txt)" ]
  run s3_keys "$S3_BUCKET"
  [ "$output" = transformations/o/refusal.json ]
}

@test "exit 65 for disallowed sources: file://, ssh://, metadata addresses, another bucket" {
  local src
  for src in file:///etc/passwd ssh://git@github.com/o/r.git https://169.254.169.254/latest/meta-data \
    "https://[fd00:ec2::254]/o/r" s3://someone-else/uploads/x.zip; do
    job --source "$src" --output o -- "${exec_cmd[@]}"
    [ "$status" -eq 65 ]
  done
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "exit 65 when the source zip does not exist" {
  make_buckets
  job --source "s3://$SOURCE_BUCKET/uploads/missing.zip" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 65 ]
  grep -q 'source archive not found' "$ERR"
}

@test "exit 75 when S3 cannot be reached (the retryable infrastructure failure)" {
  export AWS_ENDPOINT_URL="http://127.0.0.1:$(free_port)"
  job --source s3://atx-source/uploads/u1/project.zip --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 75 ]
  grep -q 'giving up after 2 attempts' "$ERR"
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "exit 75 when the results upload fails after atx succeeded" {
  python3 "$FIXTURES/s3util.py" setup "$SOURCE_BUCKET"
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 75 ]
  [ -e "$FAKE_ATX_ARGV_FILE" ]
  grep -q '"message":"upload failed"' "$ERR"
}

@test "an MCP configuration that is not a JSON object ends the job with exit 65 before atx runs" {
  printf 'not json' >"$BATS_TEST_TMPDIR/mcp.json"
  make_buckets "s3://$SOURCE_BUCKET/config/mcp.json=$BATS_TEST_TMPDIR/mcp.json"
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 65 ]
  [ ! -e "$HOME/.aws/atx/mcp.json" ]
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "credentials refresh: the container endpoint's credentials are written 0600 during the job, and the refresh stops with it" {
  make_buckets
  printf '{"AccessKeyId":"ASIAREFRESHED0000001","SecretAccessKey":"refreshed-secret-value-xyz","Token":"refreshed-session-token-abc","Expiration":"2030-01-01T00:00:00Z"}' \
    >"$BATS_TEST_TMPDIR/creds.json"
  port=$(free_port)
  (cd "$BATS_TEST_TMPDIR" && exec python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$port/creds.json" && break; sleep 0.1; done
  export AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$port/creds.json"
  export ATX_AWS_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/refreshed-credentials"
  export ATX_CREDENTIALS_REFRESH_SECONDS=1 FAKE_ATX_SLEEP=2.5
  job --output o -- "${exec_cmd[@]}"
  kill "$server"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$ATX_AWS_CREDENTIALS_FILE")" = 600 ]
  grep -qx 'aws_secret_access_key = refreshed-secret-value-xyz' "$ATX_AWS_CREDENTIALS_FILE"
  grep -qx 'aws_session_token = refreshed-session-token-abc' "$ATX_AWS_CREDENTIALS_FILE"
  [ "$(jq -s '[.[] | select(.message == "credentials refreshed")] | length' "$ERR")" -ge 2 ]
  jq -e -s 'any(.[]; .message == "credentials refresh stopped")' "$ERR"
  ! grep -q 'refreshed-secret-value-xyz' "$ERR"
}

@test "SIGTERM (job cancelled) stops atx, removes the runtime directory and exits 143" {
  make_buckets
  export FAKE_ATX_SLEEP=20
  "$BIN/entrypoint.sh" --output o -- "${exec_cmd[@]}" >"$OUT" 2>"$ERR" &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q 'Starting transformation' "$ERR" && break
    sleep 0.1
  done
  grep -q 'Starting transformation' "$ERR"
  [ -d "$ATX_WORK_DIR/.runtime" ]
  atx_pid=$(pgrep -f -n "$FIXTURES/bin/atx custom def exec")
  [ -n "$atx_pid" ]
  kill -TERM "$pid"
  status=0
  wait "$pid" || status=$?
  cat "$ERR"
  [ "$status" -eq 143 ]
  jq -e -s 'any(.[]; .message == "termination requested; stopping")' "$ERR"
  [ ! -e "$ATX_WORK_DIR/.runtime" ]
  sleep 0.2
  ! kill -0 "$atx_pid" 2>/dev/null
}

@test "an S3 prefix with more objects than ATX_ZIP_MAX_FILES is refused with exit 65 before download" {
  make_buckets "s3://$SOURCE_BUCKET/projects/p3/a.txt=$BIN/use" "s3://$SOURCE_BUCKET/projects/p3/b.txt=$BIN/use"
  ATX_ZIP_MAX_FILES=1 job --source "s3://$SOURCE_BUCKET/projects/p3/" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 65 ]
  grep -q '2 objects, limit is 1' "$ERR"
  [ -z "$(find "$ATX_WORK_DIR" -name a.txt)" ]
}

@test "a zip larger than ATX_ZIP_MAX_ARCHIVE_BYTES is refused with exit 65 before download" {
  python3 "$FIXTURES/make_zip.py" "$BATS_TEST_TMPDIR/p.zip" project
  make_buckets "s3://$SOURCE_BUCKET/uploads/big.zip=$BATS_TEST_TMPDIR/p.zip"
  ATX_ZIP_MAX_ARCHIVE_BYTES=100 job --source "s3://$SOURCE_BUCKET/uploads/big.zip" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 65 ]
  grep -q 'archive larger than 100 bytes' "$ERR"
  [ -z "$(find "$ATX_WORK_DIR" -name '*.zip')" ]
}

@test "exit 70 for an unexpected internal failure, distinct from atx's failure (1) and from retryable ones (75)" {
  export ATX_WORK_DIR="$BATS_TEST_TMPDIR/not-a-dir"
  touch "$ATX_WORK_DIR"
  job --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 70 ]
  # (the failing command's own error text is passed through as is, before the JSON line)
  grep '^{' "$ERR" | jq -e -s 'any(.[]; .message == "unexpected failure" and .level == "error" and .exit_code == "1")'
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "secrets: a source file with a secret is held back and logged; atx's printed secrets never reach stderr or job.log" {
  local key=AKIAIOSFODNN7EXAMPLE token=ghp_abcdefghijklmnopqrstuvwxyz0123456789
  mkdir -p "$BATS_TEST_TMPDIR/proj"
  printf '# Demo\n' >"$BATS_TEST_TMPDIR/proj/README.md"
  printf 'aws_access_key_id = %s\n' "$key" >"$BATS_TEST_TMPDIR/proj/deploy.cfg"
  (cd "$BATS_TEST_TMPDIR/proj" && zip -q -r "$BATS_TEST_TMPDIR/leaky.zip" .)
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/leaky.zip=$BATS_TEST_TMPDIR/leaky.zip"
  printf 'found key %s\nexport GITHUB_TOKEN=%s\n' "$key" "$token" >"$BATS_TEST_TMPDIR/leaky"
  export FAKE_ATX_PRINT_FILE="$BATS_TEST_TMPDIR/leaky" FAKE_ATX_CONVERSATION_ID=conv-leak
  job --source "s3://$SOURCE_BUCKET/uploads/u1/leaky.zip" -- atx custom def exec
  [ "$status" -eq 0 ]
  local base="transformations/$AWS_BATCH_JOB_ID/conv-leak"
  run s3_keys "$S3_BUCKET" "$base/code/"
  [[ $output == *code/README.md* && $output != *deploy.cfg* ]]
  s3_cat "$S3_BUCKET" "$base/logs/job.log" >"$BATS_TEST_TMPDIR/job.log"
  ! grep -qF -e "$key" -e "$token" -e ghp_ "$BATS_TEST_TMPDIR/job.log" "$ERR" "$ATX_WORK_DIR/logs/job.log"
  jq -e -s 'any(.[]; .source == "atx" and .message == "found key ***")' "$BATS_TEST_TMPDIR/job.log"
  jq -e -s 'any(.[]; .source == "atx" and .message == "export GITHUB_TOKEN=***")' "$ERR"
  jq -e -s 'any(.[]; .message == "secret detected: file held back" and .path == "code/deploy.cfg" and .kinds == "AWS Access Key")' "$BATS_TEST_TMPDIR/job.log"
  assert_json_log_lines "$BATS_TEST_TMPDIR/job.log"
}

@test "size: an archive replaced after the size check is not downloaded (ETag pinned), exit 65 with the reason" {
  python3 "$FIXTURES/make_zip.py" "$BATS_TEST_TMPDIR/small.zip" project
  head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/noise.bin"
  (cd "$BATS_TEST_TMPDIR" && zip -q big.zip noise.bin) # past the 100000-byte limit below
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/app.zip=$BATS_TEST_TMPDIR/small.zip"
  # An aws that swaps the object for a larger one just before the download.
  mkdir -p "$BATS_TEST_TMPDIR/wrap"
  cat >"$BATS_TEST_TMPDIR/wrap/aws" <<WRAP
#!/usr/bin/env bash
if [[ " \$* " == *" get-object "* && ! -e "$BATS_TEST_TMPDIR/swapped" ]]; then
  touch "$BATS_TEST_TMPDIR/swapped"
  "$VENV_BIN/aws" s3 cp --quiet "$BATS_TEST_TMPDIR/big.zip" "s3://$SOURCE_BUCKET/uploads/u1/app.zip"
fi
exec "$VENV_BIN/aws" "\$@"
WRAP
  chmod 755 "$BATS_TEST_TMPDIR/wrap/aws"
  export ATX_ZIP_MAX_ARCHIVE_BYTES=100000
  PATH="$BATS_TEST_TMPDIR/wrap:$PATH" job --source "s3://$SOURCE_BUCKET/uploads/u1/app.zip" -- atx custom def exec
  [ "$status" -eq 65 ]
  [ -e "$BATS_TEST_TMPDIR/swapped" ]
  grep -q "source archive changed between the size check and the download" "$ERR"
  [ -z "$(find "$ATX_WORK_DIR/source" -mindepth 1 -print -quit)" ]
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "size: an archive past the extracted-size bound is refused and the bound and reason are recorded for the job view" {
  python3 "$FIXTURES/make_zip.py" "$BATS_TEST_TMPDIR/bomb.zip" bomb-size 200000
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/bomb.zip=$BATS_TEST_TMPDIR/bomb.zip"
  ATX_ZIP_MAX_BYTES=100000 job --source "s3://$SOURCE_BUCKET/uploads/u1/bomb.zip" --output jobs/j1 -- atx custom def exec
  [ "$status" -eq 65 ]
  s3_cat "$S3_BUCKET" transformations/jobs/j1/refusal.json >"$BATS_TEST_TMPDIR/refusal.json"
  cat "$BATS_TEST_TMPDIR/refusal.json"
  jq -e '.exitCode == 65 and .limits.zipMaxBytes == 100000
    and .reason == "archive refused: archive expands to more than 100000 bytes (ATX_ZIP_MAX_BYTES)"' "$BATS_TEST_TMPDIR/refusal.json"
}

@test "a job that is not refused writes no refusal record" {
  python3 "$FIXTURES/make_zip.py" "$BATS_TEST_TMPDIR/p.zip" project
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/p.zip=$BATS_TEST_TMPDIR/p.zip"
  job --source "s3://$SOURCE_BUCKET/uploads/u1/p.zip" --output jobs/j2 -- atx custom def exec
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/jobs/j2/
  [[ $output != *refusal.json* ]]
}

@test "secrets: without a working secret scanner the job stops before fetching anything (exit 70)" {
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/project.zip=$CANON/project.zip"
  ATX_SECRET_SCAN_PYTHON=/usr/bin/python3 job --source "s3://$SOURCE_BUCKET/uploads/u1/project.zip" -- atx custom def exec
  [ "$status" -eq 70 ]
  grep -q "the secret scanner does not run" "$ERR"
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
  run s3_keys "$S3_BUCKET"
  [ -z "$output" ]
}

@test "with access points set, the job reads the named source bucket and writes results through them" {
  # moto has no access points: two more buckets stand in for them, so where each request went shows.
  mkdir -p "$BATS_TEST_TMPDIR/tree"
  printf 'hello\n' >"$BATS_TEST_TMPDIR/tree/README.md"
  make_buckets
  python3 "$FIXTURES/s3util.py" setup atx-output-ap atx-source-ap \
    "s3://atx-source-ap/projects/p2/README.md=$BATS_TEST_TMPDIR/tree/README.md"
  export S3_ACCESS_POINT=atx-output-ap SOURCE_ACCESS_POINT=atx-source-ap FAKE_ATX_CONVERSATION_ID=conv-ap-1
  job --source "s3://$SOURCE_BUCKET/projects/p2/" --output o -- "${exec_cmd[@]}"
  [ "$status" -eq 0 ]
  run s3_keys atx-output-ap transformations/o/conv-ap-1/code/
  [[ $output == *"transformations/o/conv-ap-1/code/README.md"* ]]
  run s3_keys "$S3_BUCKET"
  [ "$output" = "" ]
}
