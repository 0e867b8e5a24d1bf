# Shared helpers for the container bats tests. Load with `load helpers`.
# The scripts run directly on this host: moto's server on 127.0.0.1 stands in for S3 and Secrets
# Manager, the project's venv provides moto_server and the AWS CLI, and test/fixtures/bin/atx
# stands in for the ATX CLI.

# shellcheck disable=SC2034  # these paths are used by the .bats files that load this helper
REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
CONTAINER_DIR="$REPO_ROOT/container"
BIN="$CONTAINER_DIR/bin"
FIXTURES="$CONTAINER_DIR/test/fixtures"
VENV_BIN="$REPO_ROOT/.venv/bin"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts moto's server on a free loopback port; exports MOTO_PORT and MOTO_PID.
start_moto() {
  [[ -x "$VENV_BIN/moto_server" ]] || {
    echo "moto_server missing: run scripts/setup.sh" >&2
    return 1
  }
  MOTO_PORT=$(free_port)
  "$VENV_BIN/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$BATS_FILE_TMPDIR/moto.log" 2>&1 &
  MOTO_PID=$!
  export MOTO_PORT MOTO_PID
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/"; then
      return 0
    fi
    sleep 0.1
  done
  echo "moto_server did not start" >&2
  return 1
}

stop_moto() {
  if [[ -n ${MOTO_PID:-} ]]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
}

# Serves the repositories under GIT_ROOT over loopback http (with TOKEN, only to requests that
# send it) as server NAME; prints its port once it listens. stop_git_servers stops them all.
serve_git_repos() {
  local name=$1 token=${2:-}
  local port_file="$BATS_FILE_TMPDIR/git-$name.port"
  python3 "$FIXTURES/git_http_server.py" "$GIT_ROOT" "$port_file" ${token:+"$token"} >/dev/null 2>&1 &
  echo $! >>"$BATS_FILE_TMPDIR/git-servers.pids"
  for _ in $(seq 1 300); do
    [[ -s $port_file ]] && break
    sleep 0.1
  done
  [[ -s $port_file ]] || {
    echo "git http server $name did not start" >&2
    return 1
  }
  cat "$port_file"
}

stop_git_servers() {
  [[ -f $BATS_FILE_TMPDIR/git-servers.pids ]] || return 0
  # shellcheck disable=SC2046  # one pid per line
  kill $(cat "$BATS_FILE_TMPDIR/git-servers.pids") 2>/dev/null || true
}

reset_moto() {
  curl -fsS -X POST "http://127.0.0.1:$MOTO_PORT/moto-api/reset" >/dev/null
}

# Environment of a job on this host: every path under DIR (default: the test's own directory).
job_env() {
  local dir=${1:-$BATS_TEST_TMPDIR}
  export AWS_ACCESS_KEY_ID=AKIATESTINGMOTO00000
  export AWS_SECRET_ACCESS_KEY=moto-test-secret-key-0123456789
  unset AWS_SESSION_TOKEN AWS_PROFILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
  export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
  export AWS_ENDPOINT_URL="http://127.0.0.1:${MOTO_PORT:-1}"
  export AWS_MAX_ATTEMPTS=1
  export AWS_CONFIG_FILE="$dir/aws-config" AWS_SHARED_CREDENTIALS_FILE="$dir/aws-credentials"
  export HOME="$dir/home"
  mkdir -p "$HOME"
  export ATX_WORK_DIR="$dir/work"
  export PATH="$FIXTURES/bin:$VENV_BIN:$PATH"
  export S3_BUCKET=atx-output SOURCE_BUCKET=atx-source OUTPUT_PREFIX=transformations
  export AWS_BATCH_JOB_ID="job-${BATS_TEST_NUMBER:-0}-0001"
  export ATX_RETRY_ATTEMPTS=2 ATX_RETRY_BASE_DELAY_MS=10 ATX_RETRY_MAX_DELAY_MS=20
  export FAKE_ATX_ARGV_FILE="$dir/atx-argv"
  export ATX_SECRET_SCAN_PYTHON="$VENV_BIN/python"
  unset ALLOWED_GIT_HOSTS ALLOWED_GIT_SCHEMES GIT_CREDENTIAL_SECRETS MCP_CONFIG_KEY ATX_LOG_LEVEL \
    FAKE_ATX_MODE FAKE_ATX_CONVERSATION_ID FAKE_ATX_PRINT_FILE FAKE_ATX_SLEEP \
    ATX_CREDENTIALS_REFRESH_SECONDS ATX_AWS_CREDENTIALS_FILE
}

# Per-test start of a job suite: an empty emulator, the job environment, and where job() writes.
setup_job_test() {
  reset_moto
  job_env "$BATS_TEST_TMPDIR"
  OUT="$BATS_TEST_TMPDIR/stdout"
  ERR="$BATS_TEST_TMPDIR/stderr"
}

# Runs the entrypoint with ARGS, stdout to $OUT and stderr to $ERR; sets $status and shows stderr.
job() {
  status=0
  "$BIN/entrypoint.sh" "$@" >"$OUT" 2>"$ERR" || status=$?
  echo "exit status: $status"
  cat "$ERR"
}

# Creates the output and source buckets, then uploads each s3://BUCKET/KEY=LOCAL_FILE argument.
make_buckets() {
  python3 "$FIXTURES/s3util.py" setup "$S3_BUCKET" "$SOURCE_BUCKET" "$@"
}

# Keys under an S3 prefix, one per line, sorted.
s3_keys() {
  python3 "$FIXTURES/s3util.py" keys "$1" "${2:-}"
}

# An object's body on stdout.
s3_cat() {
  aws s3 cp --quiet "s3://$1/$2" -
}

# Fails (with the file shown) unless every line of the file is a JSON object with the log fields.
assert_json_log_lines() {
  local file=$1
  jq -e -s 'length > 0 and all(.[]; type == "object" and (.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and (.level | type) == "string" and (.job_id | type) == "string" and (.message | type) == "string")' "$file" >/dev/null || {
    echo "not JSON log lines:" >&2
    cat "$file" >&2
    return 1
  }
}

# The recorded argv of the stand-in atx, one argument per line, for display.
recorded_argv() {
  tr '\0' '\n' <"$FAKE_ATX_ARGV_FILE"
}
