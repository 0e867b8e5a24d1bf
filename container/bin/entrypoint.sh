#!/usr/bin/env bash
# entrypoint.sh [--source SOURCE] [--output PATH] -- atx ARG...
# entrypoint.sh [--source SOURCE] [--output PATH] --command "atx ARG..."
# The image's ENTRYPOINT. AWS Batch passes the job's command as an argument vector. The --command
# form (the AWS sample's direct Batch submission) takes the command as one line, split into
# arguments by lib/command-line.sh with the API's rules, never by a shell. Steps:
#   1. validate the arguments and the environment (exit 64) and the source (exit 65)
#   2. start the background credentials refresh (refresh-credentials.sh)
#   3. load the MCP configuration (load-mcp-config.sh)
#   4. for a git source, fetch the host's token (fetch-git-credentials.sh) for the credential
#      helper (git-credential-atx), then download the source (fetch-source.sh)
#   5. run the command with exec-style arguments in ATX_SOURCE_DIR: never through a shell, never
#      re-parsed, so ";", "$(...)", backticks or redirections in arguments stay plain text; its
#      output becomes JSON log lines (source "atx")
#   6. find the conversation id and upload the workspace and the logs (upload-results.sh, one upload) to
#      s3://$S3_BUCKET/$OUTPUT_PREFIX/<output>/<conversation-id>/{code,logs}/
#   7. stop the refresh, delete the git credentials and the redaction list
# The command may also come without "--" (the first word that is not an option starts it); its
# first word must be "atx". The conversation id is, in order: the last "conversation id: <id>"
# (also "Conversation ID=<id>", "conversationId": "<id>") printed by atx; the newest directory
# that appeared under ATX_CONVERSATIONS_DIR during the run; the Batch job id.
# Exit codes: see container/README.md (0, 1, 64, 65, 70, 75).
set -Eeuo pipefail

ATX_BIN_DIR=${ATX_BIN_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"}
ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$ATX_BIN_DIR/../lib" && pwd)"}
export ATX_BIN_DIR ATX_LIB_DIR
# shellcheck source=../lib/exit-codes.sh
source "$ATX_LIB_DIR/exit-codes.sh"
# shellcheck source=../lib/log.sh
source "$ATX_LIB_DIR/log.sh"
# shellcheck source=../lib/command-line.sh
source "$ATX_LIB_DIR/command-line.sh"
# shellcheck source=../lib/shell-timeout.sh
source "$ATX_LIB_DIR/shell-timeout.sh"
log_install_error_trap

usage() {
  cat >&2 <<'USAGE'
usage: entrypoint.sh [--source SOURCE] [--output PATH] -- atx ARG...
       entrypoint.sh [--source SOURCE] [--output PATH] --command "atx ARG..."
  SOURCE  https://<allowed host>/<owner>/<repo>[.git] | s3://$SOURCE_BUCKET/<key>.zip |
          s3://$SOURCE_BUCKET/<prefix>/
  PATH    relative output path (default: $AWS_BATCH_JOB_ID); results go to
          s3://$S3_BUCKET/$OUTPUT_PREFIX/PATH/<conversation-id>/{code,logs}/
USAGE
}

usage_error() {
  usage
  log_fail "$EX_USAGE" "$@"
}

# A relative S3 key path: plain segments, no "." or "..", no leading "/".
valid_rel_path() {
  [[ $1 =~ ^[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*$ && ! $1 =~ (^|/)\.\.?(/|$) ]]
}

require_abs_dir_var() {
  local name=$1
  [[ ${!name} == /* && ${!name} != / ]] || log_fail "$EX_USAGE" "$name must be an absolute path other than /" value "${!name}"
}

# ---- configuration: the container's values unless the environment says otherwise ----
export HOME=${HOME:-/home/atxuser}
export ATX_WORK_DIR=${ATX_WORK_DIR:-/workspace}
export ATX_SOURCE_DIR=${ATX_SOURCE_DIR:-"$ATX_WORK_DIR/source"}
export ATX_LOG_DIR=${ATX_LOG_DIR:-"$ATX_WORK_DIR/logs"}
export ATX_RUNTIME_DIR=${ATX_RUNTIME_DIR:-"$ATX_WORK_DIR/.runtime"}
export ATX_CONVERSATIONS_DIR=${ATX_CONVERSATIONS_DIR:-"$HOME/.aws/atx/custom"}
OUTPUT_PREFIX=${OUTPUT_PREFIX:-transformations}
if [[ -n ${AWS_REGION:-} && -z ${AWS_DEFAULT_REGION:-} ]]; then
  export AWS_DEFAULT_REGION=$AWS_REGION
fi
ATX_LOG_COMPONENT=entrypoint

# ---- arguments ----
source_url=""
output=""
have_source=0
have_output=0
have_line=0
line_argv=()
cmd=()
while (($#)); do
  case $1 in
    --source | --output | --command)
      (($# >= 2)) || usage_error "option $1 needs a value"
      opt=${1#--}
      value=$2
      shift 2
      ;;
    --source=* | --output=* | --command=*)
      opt=${1%%=*}
      opt=${opt#--}
      value=${1#*=}
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      cmd=("$@")
      break
      ;;
    -*) usage_error "unknown option" option "$1" ;;
    *)
      cmd=("$@")
      break
      ;;
  esac
  case $opt in
    source)
      ((have_source == 0)) || usage_error "--source given twice"
      have_source=1
      source_url=$value
      ;;
    output)
      ((have_output == 0)) || usage_error "--output given twice"
      have_output=1
      output=$value
      ;;
    command)
      ((have_line == 0)) || usage_error "--command given twice"
      have_line=1
      parse_command_line "$value" || usage_error "invalid --command" reason "$COMMAND_LINE_ERROR"
      line_argv=("${COMMAND_ARGV[@]}")
      ;;
  esac
done
if ((have_line)); then
  ((${#cmd[@]} == 0)) || usage_error "give the command either with --command or after --, not both"
  cmd=("${line_argv[@]}")
fi

((${#cmd[@]} > 0)) || usage_error "missing command (after --)"
[[ ${cmd[0]} == atx ]] || usage_error "the command must start with atx" first_word "${cmd[0]}"
if ((have_source)) && [[ -z $source_url ]]; then
  usage_error "--source is empty"
fi
if ((have_output == 0)); then
  output=${AWS_BATCH_JOB_ID:-}
  [[ -n $output ]] || usage_error "--output is required when AWS_BATCH_JOB_ID is not set"
fi
output=${output%/}
# The AWS sample's --output names the whole key prefix (transformations/<name>/): the same place.
output=${output#"$OUTPUT_PREFIX"/}
valid_rel_path "$output" || usage_error "--output must be a relative path of plain segments without '..'" output "$output"
valid_rel_path "$OUTPUT_PREFIX" || log_fail "$EX_USAGE" "invalid OUTPUT_PREFIX" value "$OUTPUT_PREFIX"
[[ ${S3_BUCKET:-} =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || log_fail "$EX_USAGE" "S3_BUCKET is missing or invalid"
for var in ATX_WORK_DIR ATX_SOURCE_DIR ATX_LOG_DIR ATX_RUNTIME_DIR ATX_CONVERSATIONS_DIR HOME; do
  require_abs_dir_var "$var"
done
resolve_shell_timeout || log_fail "$EX_USAGE" "$SHELL_TIMEOUT_ERROR" \
  ATX_SHELL_TIMEOUT "${ATX_SHELL_TIMEOUT:-}" ATX_JOB_TIMEOUT_SECONDS "${ATX_JOB_TIMEOUT_SECONDS:-}"
export ATX_SHELL_TIMEOUT
command -v atx >/dev/null 2>&1 || log_fail "$EX_SOFTWARE" "the atx CLI is not on PATH"

# Nothing leaves the job unscanned: without a working secret scanner the job stops here.
export ATX_SECRET_SCAN_PYTHON=${ATX_SECRET_SCAN_PYTHON:-/opt/atx-scan/bin/python3}
"$ATX_SECRET_SCAN_PYTHON" "$ATX_LIB_DIR/secret_scan.py" redact-lines </dev/null >/dev/null 2>&1 ||
  log_fail "$EX_SOFTWARE" "the secret scanner does not run" python "$ATX_SECRET_SCAN_PYTHON"

source_kind=none
if ((have_source)); then
  source_kind=$("$ATX_BIN_DIR/fetch-source.sh" --check "$source_url") || exit $?
fi

# ---- workspace, logs and the runtime directory for secrets ----
mkdir -p -- "$ATX_WORK_DIR" "$ATX_LOG_DIR" "$ATX_SOURCE_DIR"
[[ -z "$(find "$ATX_SOURCE_DIR" -mindepth 1 -maxdepth 1 -print -quit)" ]] ||
  log_fail "$EX_USAGE" "ATX_SOURCE_DIR is not empty" dir "$ATX_SOURCE_DIR"
rm -rf -- "$ATX_RUNTIME_DIR"
mkdir -p -- "$ATX_RUNTIME_DIR"
chmod 700 "$ATX_RUNTIME_DIR"
export ATX_REDACT_FILE="$ATX_RUNTIME_DIR/redact"
export ATX_GIT_CREDENTIALS_FILE="$ATX_RUNTIME_DIR/git-credentials"
(umask 077 && : >"$ATX_REDACT_FILE")
export ATX_LOG_FILE="$ATX_LOG_DIR/job.log"

# git reads the credential helper from these variables: no ~/.gitconfig is written. The empty
# first value clears helpers configured elsewhere.
export GIT_CONFIG_COUNT=2
export GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0=""
export GIT_CONFIG_KEY_1=credential.helper GIT_CONFIG_VALUE_1="$ATX_BIN_DIR/git-credential-atx"
export GIT_TERMINAL_PROMPT=0
# shellcheck source=../lib/git-guard.sh
source "$ATX_LIB_DIR/git-guard.sh"
git_guard_env
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-AWS Transform job}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-atx-job@localhost}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

refresh_pid=""
atx_pid=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT ERR
  if [[ -n $atx_pid ]]; then
    kill -TERM "$atx_pid" 2>/dev/null || true
  fi
  if [[ -n $refresh_pid ]]; then
    kill -TERM "$refresh_pid" 2>/dev/null || true
    wait "$refresh_pid" 2>/dev/null || true
  fi
  log_info "job finished" exit_code "$rc"
  # Last: the redaction list goes with the credentials.
  rm -rf -- "$ATX_RUNTIME_DIR"
  exit "$rc"
}
# shellcheck disable=SC2317  # invoked by the TERM/INT trap
on_signal() {
  log_warn "termination requested; stopping"
  exit 143
}
trap cleanup EXIT
trap on_signal TERM INT

log_info "job started" source "${source_url:-none}" output "$output" \
  command "$(log_json_array "${cmd[@]}")" shell_timeout "$ATX_SHELL_TIMEOUT"

if [[ -n ${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}${AWS_CONTAINER_CREDENTIALS_FULL_URI:-} ]]; then
  "$ATX_BIN_DIR/refresh-credentials.sh" &
  refresh_pid=$!
fi

"$ATX_BIN_DIR/load-mcp-config.sh" || exit $?

if [[ $source_kind == git\ * ]]; then
  "$ATX_BIN_DIR/fetch-git-credentials.sh" "${source_kind#git }" || exit $?
fi
if ((have_source)); then
  "$ATX_BIN_DIR/fetch-source.sh" "$source_url" "$ATX_SOURCE_DIR" || {
    rc=$?
    # A refused source: the reason goes where the API's job view finds it.
    if ((rc == EX_DATAERR)); then "$ATX_BIN_DIR/record-refusal.sh" "$rc" "$output"; fi
    exit "$rc"
  }
fi

# ---- the transformation ----
conversation_dirs() {
  if [[ -d $ATX_CONVERSATIONS_DIR ]]; then
    find "$ATX_CONVERSATIONS_DIR" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %f\n' | sort -n
  fi
}
dirs_before=$(conversation_dirs | cut -d' ' -f2-)

fifo="$ATX_RUNTIME_DIR/atx-output"
mkfifo -m 600 "$fifo"
# atx's output passes the secret scan before it becomes log lines (stderr and job.log).
"$ATX_SECRET_SCAN_PYTHON" "$ATX_LIB_DIR/secret_scan.py" redact-lines <"$fifo" | ATX_LOG_COMPONENT=atx log_stream atx &
stream_pid=$!
log_info "running the command" cwd "$ATX_SOURCE_DIR"
(cd "$ATX_SOURCE_DIR" && exec "${cmd[@]}") </dev/null >"$fifo" 2>&1 &
atx_pid=$!
atx_rc=0
wait "$atx_pid" || atx_rc=$?
atx_pid=""
wait "$stream_pid" || true
if ((atx_rc == 0)); then
  log_info "the command succeeded"
else
  log_error "the command failed" exit_code "$atx_rc"
fi

# ---- conversation id ----
id_re='^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
conversation_id=$(jq -r 'select(.source == "atx") | .message
  | capture("(?i)conversation[ _-]?id[\"'"'"']?\\s*[:=]\\s*[\"'"'"']?(?<id>[A-Za-z0-9][A-Za-z0-9._-]{0,127})")
  | .id' "$ATX_LOG_FILE" 2>/dev/null | tail -n 1) || conversation_id=""
found_by=output
if [[ ! $conversation_id =~ $id_re ]]; then
  conversation_id=""
  found_by=directory
  while read -r _ name; do
    if [[ $name =~ $id_re ]] && ! grep -qxF -- "$name" <<<"$dirs_before"; then
      conversation_id=$name
    fi
  done < <(conversation_dirs)
fi
if [[ ! $conversation_id =~ $id_re ]]; then
  found_by=job-id
  conversation_id=${AWS_BATCH_JOB_ID:-"local-$(date -u +%Y%m%dT%H%M%SZ)"}
  [[ $conversation_id =~ $id_re ]] || conversation_id="local-$(date -u +%Y%m%dT%H%M%SZ)"
fi
log_info "conversation id" conversation_id "$conversation_id" found_by "$found_by"

# ---- results ----
base="s3://$S3_BUCKET/$OUTPUT_PREFIX/$output/$conversation_id"
# Uploads go through the job's access point (its ARN) when the stack gives it one.
upload_base="s3://${S3_ACCESS_POINT:-$S3_BUCKET}/$OUTPUT_PREFIX/$output/$conversation_id"
# The conversation's own logs travel with the job log: logs/job.log and logs/atx/...
if [[ -d "$ATX_CONVERSATIONS_DIR/$conversation_id" ]]; then
  mkdir -p -- "$ATX_LOG_DIR/atx"
  cp -R -P -- "$ATX_CONVERSATIONS_DIR/$conversation_id/." "$ATX_LOG_DIR/atx/"
fi
log_info "results" location "$base/" code "$base/code/" logs "$base/logs/" conversation_id "$conversation_id"
upload_rc=0
ATX_UPLOAD_REDACT_PARTS=logs "$ATX_BIN_DIR/upload-results.sh" "$upload_base/" "code=$ATX_SOURCE_DIR" "logs=$ATX_LOG_DIR" ||
  upload_rc=$?

if ((atx_rc != 0)); then
  log_error "transformation failed" exit_code "$atx_rc" upload_exit_code "$upload_rc"
  exit "$EX_ATX_FAILED"
fi
if ((upload_rc != 0)); then
  exit "$upload_rc"
fi
exit "$EX_OK"
