#!/usr/bin/env bash
# shellcheck shell=bash
# retry COMMAND [ARG]...: runs COMMAND until it succeeds, at most ATX_RETRY_ATTEMPTS times (default
# 5), sleeping between attempts with exponential backoff and full jitter: a random delay between
# half and all of min(ATX_RETRY_MAX_DELAY_MS, ATX_RETRY_BASE_DELAY_MS * 2^(attempt-1)) (defaults
# 2000 and 60000 ms).
# Returns 0 on success; the command's own code at once when it reports a permanent failure (64,
# 65, 66 or 77: retrying cannot help); 75 (EX_TEMPFAIL) when the attempts are used up.
# Needs lib/log.sh. Note: bash runs COMMAND with errexit suspended; commands given to retry must
# check their own steps.

[[ -n "${_ATX_RETRY_SH:-}" ]] && return 0
_ATX_RETRY_SH=1

_retry_int() {
  local name=$1 default=$2 value
  value=${!name:-$default}
  if [[ ! $value =~ ^[0-9]{1,9}$ ]]; then
    log_warn "ignoring invalid ${name}; using the default" value "$value" default "$default"
    value=$default
  fi
  printf '%s' "$value"
}

retry() {
  local attempts base_ms max_ms
  attempts=$(_retry_int ATX_RETRY_ATTEMPTS 5)
  base_ms=$(_retry_int ATX_RETRY_BASE_DELAY_MS 2000)
  max_ms=$(_retry_int ATX_RETRY_MAX_DELAY_MS 60000)
  ((attempts >= 1)) || attempts=1
  local attempt=1 rc cap_ms delay_ms
  while :; do
    rc=0
    "$@" || rc=$?
    if ((rc == 0)); then
      return 0
    fi
    case $rc in
      64 | 65 | 66 | 77) return "$rc" ;;
    esac
    if ((attempt >= attempts)); then
      log_error "giving up after ${attempt} attempts" step "${1##*/}" exit_code "$rc"
      return 75
    fi
    cap_ms=$base_ms
    for ((i = 1; i < attempt && cap_ms < max_ms; i++)); do
      cap_ms=$((cap_ms * 2))
    done
    ((cap_ms <= max_ms)) || cap_ms=$max_ms
    delay_ms=$((cap_ms / 2 + (RANDOM * 32768 + RANDOM) % (cap_ms / 2 + 1)))
    log_warn "attempt ${attempt}/${attempts} failed; retrying" step "${1##*/}" exit_code "$rc" \
      delay_ms "$delay_ms"
    sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
    attempt=$((attempt + 1))
  done
}
