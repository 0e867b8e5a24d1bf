#!/usr/bin/env bash
# shellcheck shell=bash
# resolve_shell_timeout: settles ATX_SHELL_TIMEOUT, the seconds the ATX CLI gives a
# transformation's shell commands.
#   - Set by the job (the API allows it up to the job timeout): a whole number of seconds, at least
#     60, or the job ends with exit 64. Above ATX_JOB_TIMEOUT_SECONDS (a direct Batch submission
#     may raise the job's timeout, which the container cannot see) it is kept, with a warning.
#   - Unset: derived from ATX_JOB_TIMEOUT_SECONDS, the job definition's timeout, less what fetching
#     the source and uploading the results need (a tenth of it, at most 15 minutes), so atx stops
#     before Batch kills the job and the results still reach S3. Without that variable (a run
#     outside Batch): 43200, the ATX CLI's usual 12 hours.
# Returns 1 with SHELL_TIMEOUT_ERROR set when a value is invalid.

[[ -n "${_ATX_SHELL_TIMEOUT_SH:-}" ]] && return 0
_ATX_SHELL_TIMEOUT_SH=1

readonly SHELL_TIMEOUT_MIN_SECONDS=60
readonly SHELL_TIMEOUT_STANDALONE_SECONDS=43200
readonly SHELL_TIMEOUT_MAX_RESERVE_SECONDS=900

# Prints the default for a job timeout of $1 seconds.
shell_timeout_default() {
  local job_timeout=$1 reserve
  reserve=$((job_timeout / 10))
  ((reserve <= SHELL_TIMEOUT_MAX_RESERVE_SECONDS)) || reserve=$SHELL_TIMEOUT_MAX_RESERVE_SECONDS
  echo $((job_timeout - reserve))
}

# shellcheck disable=SC2034  # SHELL_TIMEOUT_ERROR is read by the caller
resolve_shell_timeout() {
  SHELL_TIMEOUT_ERROR=""
  local job_timeout=${ATX_JOB_TIMEOUT_SECONDS:-}
  if [[ -n $job_timeout ]] && ! [[ $job_timeout =~ ^[1-9][0-9]{0,8}$ ]]; then
    SHELL_TIMEOUT_ERROR="ATX_JOB_TIMEOUT_SECONDS must be a whole number of seconds"
    return 1
  fi
  if [[ -z ${ATX_SHELL_TIMEOUT:-} ]]; then
    if [[ -n $job_timeout ]]; then
      ATX_SHELL_TIMEOUT=$(shell_timeout_default "$job_timeout")
    else
      ATX_SHELL_TIMEOUT=$SHELL_TIMEOUT_STANDALONE_SECONDS
    fi
    return 0
  fi
  if ! [[ $ATX_SHELL_TIMEOUT =~ ^[1-9][0-9]{0,8}$ ]] || ((ATX_SHELL_TIMEOUT < SHELL_TIMEOUT_MIN_SECONDS)); then
    SHELL_TIMEOUT_ERROR="ATX_SHELL_TIMEOUT must be a whole number of seconds, at least $SHELL_TIMEOUT_MIN_SECONDS"
    return 1
  fi
  if [[ -n $job_timeout ]] && ((ATX_SHELL_TIMEOUT > job_timeout)); then
    log_warn "ATX_SHELL_TIMEOUT exceeds the job definition's timeout; Batch stops the job first unless the submission raised it" \
      ATX_SHELL_TIMEOUT "$ATX_SHELL_TIMEOUT" ATX_JOB_TIMEOUT_SECONDS "$job_timeout"
  fi
  return 0
}
