#!/usr/bin/env bash
# shellcheck shell=bash
# JSON-lines logging for the job container. Source it; it defines:
#   log_debug/log_info/log_warn/log_error MESSAGE [KEY VALUE]...   one JSON line
#   log_fail CODE MESSAGE [KEY VALUE]...                           log_error, then exit CODE
#   log_stream SOURCE                                              each stdin line -> one JSON line
#   log_install_error_trap                                         ERR trap: log + exit EX_SOFTWARE
# A line is {"timestamp":ISO-8601 UTC with ms,"level","job_id","component","message",...}; jq
# builds it, so any byte in a message stays data. Lines go to stderr and, when ATX_LOG_FILE is
# set, are appended to that file. Before printing, every field is redacted: each value listed in
# the file ATX_REDACT_FILE (one per line, at least 4 characters), the AWS secret key and session
# token from the environment, and the user-info part of any URL become "***".
# ATX_LOG_LEVEL (debug|info|warn|error, default info) drops lower levels.

[[ -n "${_ATX_LOG_SH:-}" ]] && return 0
_ATX_LOG_SH=1

# jq definitions shared by log_json and log_stream ($names are jq's, not the shell's).
# shellcheck disable=SC2016  # the $names are jq variables
_ATX_LOG_JQ_DEFS='
def secrets:
  [ ($redact | split("\n")[]), ($ENV.AWS_SECRET_ACCESS_KEY // ""), ($ENV.AWS_SESSION_TOKEN // "") ]
  | map(select(length >= 4));
def redact:
  if type == "string" then
    (reduce secrets[] as $s (.; split($s) | join("***")))
    | gsub("(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]+@"; "\(.scheme)***@")
  else . end;
def ts:
  now | (floor | strftime("%Y-%m-%dT%H:%M:%S")) + "."
      + ((. * 1000 | floor) % 1000 | tostring | ("00" + .)[-3:]) + "Z";
'

_log_level_num() {
  case "${1,,}" in
    debug) printf '10' ;;
    warn | warning) printf '30' ;;
    error) printf '40' ;;
    *) printf '20' ;;
  esac
}

_log_enabled() {
  (($(_log_level_num "$1") >= $(_log_level_num "${ATX_LOG_LEVEL:-info}")))
}

# Fills the named array with the jq arguments that bind $redact.
_log_redact_args() {
  local -n _out=$1
  if [[ -n "${ATX_REDACT_FILE:-}" && -r "${ATX_REDACT_FILE}" ]]; then
    _out=(--rawfile redact "$ATX_REDACT_FILE")
  else
    _out=(--arg redact "")
  fi
}

_log_emit() {
  local line=$1
  printf '%s\n' "$line" >&2
  if [[ -n "${ATX_LOG_FILE:-}" ]]; then
    printf '%s\n' "$line" >>"$ATX_LOG_FILE" 2>/dev/null || true
  fi
}

log_json() {
  local level=$1 message=$2
  shift 2
  _log_enabled "$level" || return 0
  local -a redact_args
  _log_redact_args redact_args
  local line
  # Field names and values travel on stdin, each as NUL + "x" + value: a value starting with "-"
  # can never be taken for a jq option, no element is empty (jq 1.6's split drops trailing empty
  # strings), and bytes that are not UTF-8 are replaced instead of failing.
  if ! line=$(printf '\0x%s' "$@" | jq -R -s -c "${redact_args[@]}" \
    --arg level "$level" \
    --arg job "${AWS_BATCH_JOB_ID:-local}" \
    --arg component "${ATX_LOG_COMPONENT:-${0##*/}}" \
    --arg message "$message" \
    "${_ATX_LOG_JQ_DEFS}"'
    (split("\u0000") | .[1:] | map(.[1:])) as $kv
    | {timestamp: ts, level: $level, job_id: ($job | redact), component: $component,
       message: ($message | redact)}
      + ($kv | [range(0; length - 1; 2) as $i | {key: .[$i], value: (.[$i + 1] | redact)}]
         | from_entries)' 2>/dev/null); then
    # jq itself failed: say so without repeating the (unredactable) message.
    line=$(printf '{"timestamp":"%s","level":"error","job_id":"-","component":"log","message":"log line could not be encoded"}' \
      "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)")
  fi
  _log_emit "$line"
}

# Prints the arguments as one compact JSON array of strings (for log fields).
log_json_array() {
  printf '\0x%s' "$@" | jq -R -s -c 'split("\u0000") | .[1:] | map(.[1:])'
}

log_debug() { log_json debug "$@"; }
log_info() { log_json info "$@"; }
log_warn() { log_json warn "$@"; }
log_error() { log_json error "$@"; }

log_fail() {
  local code=$1
  shift
  log_error "$@"
  exit "$code"
}

# Reads text lines on stdin and logs each one at info level with "source": SOURCE.
log_stream() {
  local source=$1
  local -a redact_args
  _log_redact_args redact_args
  local -a sink=(cat)
  if [[ -n "${ATX_LOG_FILE:-}" ]]; then
    sink=(tee -a "$ATX_LOG_FILE")
  fi
  jq -R -c --unbuffered "${redact_args[@]}" \
    --arg job "${AWS_BATCH_JOB_ID:-local}" \
    --arg component "${ATX_LOG_COMPONENT:-${0##*/}}" \
    --arg source "$source" \
    "${_ATX_LOG_JQ_DEFS}"'
    {timestamp: ts, level: "info", job_id: ($job | redact), component: $component,
     source: $source, message: redact}' | "${sink[@]}" >&2
}

_log_on_err() {
  local code=$1 line=$2 command=$3
  trap - ERR
  log_error "unexpected failure" exit_code "$code" line "$line" command "$command"
  exit "${EX_SOFTWARE:-70}"
}

# An unexpected failure must not be mistaken for the transformation's own failure (exit 1):
# report it as an internal error instead.
log_install_error_trap() {
  trap '_log_on_err "$?" "$LINENO" "$BASH_COMMAND"' ERR
}
