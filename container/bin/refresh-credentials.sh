#!/usr/bin/env bash
# refresh-credentials.sh [--once]
# Keeps the task role's temporary credentials in the shared credentials file for tools that do
# not query the container credentials endpoint themselves: every ATX_CREDENTIALS_REFRESH_SECONDS
# (default 2700 = 45 minutes) it fetches them from the ECS/Fargate container credentials endpoint
# (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on 169.254.170.2, or AWS_CONTAINER_CREDENTIALS_FULL_URI,
# which must point at loopback or the ECS/EKS agent addresses, with the optional authorization
# token from AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)) and rewrites the [default] profile of
# ATX_AWS_CREDENTIALS_FILE (default $AWS_SHARED_CREDENTIALS_FILE or $HOME/.aws/credentials)
# atomically with mode 0600. The values are added to ATX_REDACT_FILE when it is set and never
# logged. Runs in the background from the entrypoint, which stops it with SIGTERM when the job
# ends; SIGTERM/SIGINT end it at once with exit 0.
# Without a container credentials endpoint (e.g. explicit environment credentials) there is
# nothing to refresh: exit 0.
# Exit (--once): 0 refreshed; 64 bad configuration; 75 endpoint unreachable after retries.
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
# shellcheck source=../lib/exit-codes.sh
source "$ATX_LIB_DIR/exit-codes.sh"
# shellcheck source=../lib/log.sh
source "$ATX_LIB_DIR/log.sh"
# shellcheck source=../lib/retry.sh
source "$ATX_LIB_DIR/retry.sh"
log_install_error_trap

once=0
[[ ${1:-} == --once ]] && once=1
interval=${ATX_CREDENTIALS_REFRESH_SECONDS:-2700}
[[ $interval =~ ^[0-9]{1,6}$ && $interval -ge 1 ]] ||
  log_fail "$EX_USAGE" "ATX_CREDENTIALS_REFRESH_SECONDS must be a positive integer"
target=${ATX_AWS_CREDENTIALS_FILE:-${AWS_SHARED_CREDENTIALS_FILE:-"$HOME/.aws/credentials"}}

if [[ -n ${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-} ]]; then
  [[ $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI =~ ^/[A-Za-z0-9._~/?=\&%-]*$ ]] ||
    log_fail "$EX_USAGE" "invalid AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
  uri="http://169.254.170.2${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}"
elif [[ -n ${AWS_CONTAINER_CREDENTIALS_FULL_URI:-} ]]; then
  uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI
  [[ $uri =~ ^https?://(127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|localhost|\[::1\]|169\.254\.170\.2|169\.254\.170\.23|\[fd00:ec2::23\])(:[0-9]{1,5})?(/[A-Za-z0-9._~/?=\&%-]*)?$ ]] ||
    log_fail "$EX_USAGE" "AWS_CONTAINER_CREDENTIALS_FULL_URI must point at loopback or the container agent"
else
  log_info "no container credentials endpoint; nothing to refresh"
  exit 0
fi

auth_token() {
  if [[ -n ${AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:-} ]]; then
    tr -d '\r\n' <"$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
  else
    printf '%s' "${AWS_CONTAINER_AUTHORIZATION_TOKEN:-}"
  fi
}

refresh_once() {
  local body token rc=0
  token=$(auth_token) || return 1
  # The authorization header is read from stdin so that it never appears on a command line.
  body=$( (if [[ -n $token ]]; then printf 'Authorization: %s\n' "$token"; fi) |
    curl -fsS --max-time 10 --connect-timeout 3 -H @- "$uri" 2>/dev/null) || rc=$?
  if ((rc != 0)); then
    log_warn "container credentials endpoint did not answer" curl_exit "$rc"
    return 1
  fi
  local ini
  ini=$(printf '%s' "$body" | jq -r '
    select(type == "object" and (.AccessKeyId | type) == "string"
           and (.SecretAccessKey | type) == "string")
    | "[default]",
      "aws_access_key_id = \(.AccessKeyId)",
      "aws_secret_access_key = \(.SecretAccessKey)",
      (if (.Token | type) == "string" then "aws_session_token = \(.Token)" else empty end)' 2>/dev/null) || ini=""
  if [[ -z $ini ]]; then
    log_warn "container credentials endpoint returned an unexpected document"
    return 1
  fi
  (
    umask 077
    if [[ -n ${ATX_REDACT_FILE:-} ]]; then
      printf '%s' "$body" | jq -r '.SecretAccessKey, (.Token // empty)' >>"$ATX_REDACT_FILE" || exit 1
    fi
    mkdir -p -- "$(dirname "$target")" || exit 1
    tmp=$(mktemp "$target.XXXXXX") || exit 1
    printf '%s\n' "$ini" >"$tmp" && chmod 600 "$tmp" && mv -f -- "$tmp" "$target" || exit 1
  ) || return 1
  log_info "credentials refreshed" file "$target" \
    expiration "$(printf '%s' "$body" | jq -r '.Expiration // "unknown"')"
}

if ((once)); then
  rc=0
  retry refresh_once || rc=$?
  ((rc == 0)) || log_fail "$EX_TEMPFAIL" "credentials refresh failed"
  exit 0
fi

sleep_pid=""
stop() {
  trap - TERM INT
  [[ -n $sleep_pid ]] && kill "$sleep_pid" 2>/dev/null
  log_info "credentials refresh stopped"
  exit 0
}
trap stop TERM INT

log_info "credentials refresh started" interval_seconds "$interval" file "$target"
while :; do
  retry refresh_once || log_error "credentials refresh failed; trying again at the next interval"
  sleep "$interval" &
  sleep_pid=$!
  wait "$sleep_pid" || true
  sleep_pid=""
done
