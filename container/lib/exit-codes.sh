#!/usr/bin/env bash
# shellcheck shell=bash
# Exit codes shared by every script of the job container (sysexits.h names).
# The Batch job definition retries exactly EX_TEMPFAIL; every other non-zero code ends the job.
# Internal codes 66 and 77 are used between the scripts only and never leave the entrypoint.

[[ -n "${_ATX_EXIT_CODES_SH:-}" ]] && return 0
_ATX_EXIT_CODES_SH=1

readonly EX_OK=0
readonly EX_ATX_FAILED=1    # the transformation (atx) itself failed
readonly EX_USAGE=64        # invalid arguments or configuration
readonly EX_DATAERR=65      # hostile or invalid input data (zip slip, bad URL, disallowed host...)
readonly EX_NOINPUT=66      # internal: an object or secret does not exist
readonly EX_SOFTWARE=70     # unexpected internal error (a bug): not retried
readonly EX_TEMPFAIL=75     # transient infrastructure failure after retries were exhausted
readonly EX_NOPERM=77       # internal: access denied
export EX_OK EX_ATX_FAILED EX_USAGE EX_DATAERR EX_NOINPUT EX_SOFTWARE EX_TEMPFAIL EX_NOPERM
