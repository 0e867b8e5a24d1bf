#!/usr/bin/env bash
# shellcheck shell=bash
# aws_try ARG...: runs the AWS CLI ("aws ARG...") with stdout passed through, and turns a failure
# into a code that tells permanent failures from transient ones:
#   0 success; 66 not found (NoSuchKey, 404, ResourceNotFoundException...); 77 access denied;
#   65 a request the service rejects as invalid or whose precondition fails (412); 1 anything else (network, throttling, 5xx...),
#   which retry (lib/retry.sh) tries again.
# The CLI's error text is logged (redacted, shortened) at warn level, never printed raw.
# The endpoint comes from AWS_ENDPOINT_URL, which the CLI reads itself (AWS CLI v2 >= 2.13, v1 >= 1.29).
# Needs lib/log.sh.

[[ -n "${_ATX_AWS_SH:-}" ]] && return 0
_ATX_AWS_SH=1

aws_try() {
  local err rc=0
  { err=$(aws "$@" 2>&1 1>&3 3>&-); } 3>&1 || rc=$?
  ((rc == 0)) && return 0
  local kind=transient code=1
  case $err in
    *NoSuchKey* | *NoSuchBucket* | *ResourceNotFoundException* | *"(404)"* | *"Not Found"* | *"does not exist"*)
      kind=not-found code=66 ;;
    *AccessDenied* | *"(403)"* | *Forbidden* | *UnauthorizedOperation* | *InvalidAccessKeyId* | *SignatureDoesNotMatch*)
      kind=access-denied code=77 ;;
    *ValidationException* | *InvalidParameter* | *InvalidRequest* | *InvalidBucketName* | *"Invalid bucket name"* | *PreconditionFailed* | *"(412)"*)
      kind=invalid code=65 ;;
  esac
  local level=warn
  [[ $kind == not-found ]] && level=debug
  log_json "$level" "aws ${1:-} ${2:-} failed" kind "$kind" exit_code "$rc" detail "${err:0:400}"
  return "$code"
}
