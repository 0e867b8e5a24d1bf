#!/usr/bin/env bats
# The entrypoint's --command "<line>" form (the AWS sample's direct Batch submission) and the
# ATX_SHELL_TIMEOUT the container gives atx. How lines are split is checked case by case against
# the API's parser in test/command-line-parity.test.ts; these tests run whole jobs against moto.

load helpers

setup_file() {
  start_moto
}

teardown_file() {
  stop_moto
}

setup() {
  setup_job_test
  unset ATX_SHELL_TIMEOUT ATX_JOB_TIMEOUT_SECONDS
  make_buckets
}

@test "the AWS sample's direct Batch form: --source, --output transformations/<name>/, --command LINE" {
  python3 "$FIXTURES/make_zip.py" "$BATS_TEST_TMPDIR/app.zip" project
  make_buckets "s3://$SOURCE_BUCKET/uploads/u1/app.zip=$BATS_TEST_TMPDIR/app.zip"
  export FAKE_ATX_CONVERSATION_ID=conv-direct
  job --source "s3://$SOURCE_BUCKET/uploads/u1/app.zip" --output "transformations/todoapilambda/" \
    --command 'atx custom def exec -n AWS/python-version-upgrade -p /source/app --configuration "validationCommands=pytest,additionalPlanContext=Python 3.13 is at /usr/bin/python3.13" -x -t'
  [ "$status" -eq 0 ]
  printf '%s\0' custom def exec -n AWS/python-version-upgrade -p /source/app --configuration \
    'validationCommands=pytest,additionalPlanContext=Python 3.13 is at /usr/bin/python3.13' -x -t |
    cmp - "$FAKE_ATX_ARGV_FILE"
  # The sample's --output is the whole key prefix: results land where its users look for them.
  run s3_keys "$S3_BUCKET" transformations/todoapilambda/conv-direct/
  [ "$status" -eq 0 ]
  [[ $output == *"transformations/todoapilambda/conv-direct/code/TRANSFORMED.md"* ]]
}

@test "--command=LINE and a command line without a source work too" {
  job --output o "--command=atx custom def list"
  [ "$status" -eq 0 ]
  printf '%s\0' custom def list | cmp - "$FAKE_ATX_ARGV_FILE"
}

@test "a --command line with shell syntax is refused with exit 64 and the parser's reason; atx never runs" {
  local line
  for line in 'atx custom def list; touch x' 'atx $(id)' 'atx x `id`' 'atx x "unterminated' 'bash -c id' 'atx'; do
    job --output o --command "$line"
    [ "$status" -eq 64 ]
    grep -q '"reason":"command' "$ERR"
  done
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

@test "exit 64 for --command twice, or with a command after -- as well" {
  job --output o --command "atx custom def list" --command "atx custom def list"
  [ "$status" -eq 64 ]
  job --output o --command "atx custom def list" -- atx custom def list
  [ "$status" -eq 64 ]
  grep -q 'not both' "$ERR"
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}

# Prints the ATX_SHELL_TIMEOUT lib/shell-timeout.sh settles on in the current environment.
resolved_shell_timeout() {
  bash -c 'source "$1/log.sh"; source "$1/shell-timeout.sh"; resolve_shell_timeout && echo "$ATX_SHELL_TIMEOUT"' \
    _ "$CONTAINER_DIR/lib"
}

@test "ATX_SHELL_TIMEOUT defaults to the job definition's timeout less a tenth, at most 15 minutes" {
  local job expected
  for job in 60:54 3600:3240 9000:8100 43200:42300 1209600:1208700; do
    expected=${job#*:}
    ATX_JOB_TIMEOUT_SECONDS=${job%:*} run resolved_shell_timeout
    [ "$status" -eq 0 ]
    [ "$output" = "$expected" ]
  done
  run resolved_shell_timeout
  [ "$output" = 43200 ]
  ATX_JOB_TIMEOUT_SECONDS=12h run resolved_shell_timeout
  [ "$status" -eq 1 ]
}

@test "a job reaches atx with the derived ATX_SHELL_TIMEOUT, or with its own value unchanged" {
  export ATX_JOB_TIMEOUT_SECONDS=3600
  job --output o -- atx custom def list
  [ "$status" -eq 0 ]
  [ "$(cat "$FAKE_ATX_ARGV_FILE.shell-timeout")" = 3240 ]
  ATX_SHELL_TIMEOUT=1800 run resolved_shell_timeout
  [ "$output" = 1800 ]
}

@test "ATX_SHELL_TIMEOUT above the job definition's timeout is kept with a warning (a direct submission may raise it)" {
  export ATX_JOB_TIMEOUT_SECONDS=43200 ATX_SHELL_TIMEOUT=86400
  job --output o -- atx custom def list
  [ "$status" -eq 0 ]
  [ "$(cat "$FAKE_ATX_ARGV_FILE.shell-timeout")" = 86400 ]
  grep -q '"level":"warn".*exceeds the job definition' "$ERR"
}

@test "exit 64 for an ATX_SHELL_TIMEOUT that is not a whole number of seconds of at least 60" {
  local bad
  for bad in 59 0 -1 12h 1e5 ' 600' 3600.5; do
    export ATX_SHELL_TIMEOUT=$bad
    job --output o -- atx custom def list
    [ "$status" -eq 64 ]
    grep -q 'ATX_SHELL_TIMEOUT must be' "$ERR"
  done
  [ ! -e "$FAKE_ATX_ARGV_FILE" ]
}
