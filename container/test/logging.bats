#!/usr/bin/env bats
# lib/log.sh: JSON log lines built safely, with redaction of secrets, and lib/retry.sh.

load helpers

setup() {
  export AWS_BATCH_JOB_ID=job-log-1
  unset ATX_LOG_FILE ATX_REDACT_FILE ATX_LOG_LEVEL AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  ERR="$BATS_TEST_TMPDIR/err"
}

# Runs a snippet in a fresh bash with the libraries loaded; stderr goes to $ERR.
with_libs() {
  bash -c 'set -Eeuo pipefail; source "$1/exit-codes.sh"; source "$1/log.sh"; source "$1/retry.sh"; shift; "$@"' \
    _ "$CONTAINER_DIR/lib" "$@" 2>"$ERR"
}

@test "a log line is one JSON object with ISO 8601 UTC timestamp, level, job id, component and message" {
  ATX_LOG_COMPONENT=unit with_libs log_info "hello world" key value
  assert_json_log_lines "$ERR"
  [ "$(wc -l <"$ERR")" -eq 1 ]
  jq -e '.level == "info" and .job_id == "job-log-1" and .component == "unit" and .message == "hello world" and .key == "value"' "$ERR"
}

@test "quotes, backslashes, newlines, shell syntax and non-UTF-8 bytes in messages stay valid JSON data" {
  msg=$'say "hi" \\ back\nnew line $(id) `id` ; > /tmp/x \x01 \xff'
  with_libs log_warn "$msg" field "-x --arg" other "$msg"
  assert_json_log_lines "$ERR"
  [ "$(wc -l <"$ERR")" -eq 1 ]
  jq -e '.message | startswith("say \"hi\" \\ back\nnew line $(id) `id` ; > /tmp/x \u0001")' "$ERR"
  jq -e '.field == "-x --arg"' "$ERR"
}

@test "values listed in ATX_REDACT_FILE are replaced by *** in messages and fields" {
  printf 'tok-SECRET-value-42\n' >"$BATS_TEST_TMPDIR/redact"
  ATX_REDACT_FILE="$BATS_TEST_TMPDIR/redact" with_libs log_error "token tok-SECRET-value-42 leaked" detail "x=tok-SECRET-value-42"
  run cat "$ERR"
  [[ $output != *tok-SECRET-value-42* ]]
  jq -e '.message == "token *** leaked" and .detail == "x=***"' "$ERR"
}

@test "the AWS secret key and session token from the environment never appear in a log line" {
  AWS_SECRET_ACCESS_KEY=envsecretKEY123 AWS_SESSION_TOKEN=sessTOKEN987 with_libs log_info "k=envsecretKEY123 t=sessTOKEN987"
  jq -e '.message == "k=*** t=***"' "$ERR"
}

@test "user-info in URLs is redacted" {
  with_libs log_info "cloning https://user:pa55word@github.com/org/repo"
  jq -e '.message == "cloning https://***@github.com/org/repo"' "$ERR"
}

@test "log_stream turns each output line into a redacted JSON log line with its source" {
  printf 'abcd-SECRET\n' >"$BATS_TEST_TMPDIR/redact"
  printf 'line one\nthe secret is abcd-SECRET\n{"not": "parsed"}\nno newline at end' |
    ATX_REDACT_FILE="$BATS_TEST_TMPDIR/redact" with_libs log_stream atx
  assert_json_log_lines "$ERR"
  [ "$(wc -l <"$ERR")" -eq 4 ]
  jq -e -s '[.[].message] == ["line one", "the secret is ***", "{\"not\": \"parsed\"}", "no newline at end"] and all(.[]; .source == "atx")' "$ERR"
}

@test "ATX_LOG_FILE receives the same lines as stderr" {
  ATX_LOG_FILE="$BATS_TEST_TMPDIR/job.log" with_libs log_info "to both"
  cmp "$ERR" "$BATS_TEST_TMPDIR/job.log"
}

@test "ATX_LOG_LEVEL=warn drops info and debug lines" {
  ATX_LOG_LEVEL=warn with_libs log_info "dropped"
  [ ! -s "$ERR" ]
  ATX_LOG_LEVEL=warn with_libs log_warn "kept"
  jq -e '.message == "kept"' "$ERR"
}

@test "retry runs a failing command ATX_RETRY_ATTEMPTS times, then returns 75" {
  export ATX_RETRY_ATTEMPTS=3 ATX_RETRY_BASE_DELAY_MS=1 ATX_RETRY_MAX_DELAY_MS=4
  counter="$BATS_TEST_TMPDIR/count"
  run with_libs retry bash -c 'echo x >>"$1"; exit 1' _ "$counter"
  [ "$status" -eq 75 ]
  [ "$(wc -l <"$counter")" -eq 3 ]
  [ "$(jq -s '[.[] | select(.message | startswith("attempt"))] | length' "$ERR")" -eq 2 ]
  jq -e -s 'all(.[] | select(.delay_ms); (.delay_ms | tonumber) <= 4)' "$ERR"
}

@test "retry stops at once on a permanent failure (65) and returns it" {
  export ATX_RETRY_ATTEMPTS=5 ATX_RETRY_BASE_DELAY_MS=1
  counter="$BATS_TEST_TMPDIR/count"
  run with_libs retry bash -c 'echo x >>"$1"; exit 65' _ "$counter"
  [ "$status" -eq 65 ]
  [ "$(wc -l <"$counter")" -eq 1 ]
}

@test "retry returns 0 as soon as the command succeeds" {
  export ATX_RETRY_ATTEMPTS=5 ATX_RETRY_BASE_DELAY_MS=1
  counter="$BATS_TEST_TMPDIR/count"
  run with_libs retry bash -c 'echo x >>"$1"; [ "$(wc -l <"$1")" -ge 2 ]' _ "$counter"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$counter")" -eq 2 ]
}

@test "retry backoff doubles with jitter: delays stay within [cap/2, cap]" {
  export ATX_RETRY_ATTEMPTS=4 ATX_RETRY_BASE_DELAY_MS=40 ATX_RETRY_MAX_DELAY_MS=100
  run with_libs retry false
  [ "$status" -eq 75 ]
  run jq -r 'select(.delay_ms) | .delay_ms' "$ERR"
  mapfile -t delays <<<"$output"
  [ "${#delays[@]}" -eq 3 ]
  ((delays[0] >= 20 && delays[0] <= 40))
  ((delays[1] >= 40 && delays[1] <= 80))
  ((delays[2] >= 50 && delays[2] <= 100))
}
