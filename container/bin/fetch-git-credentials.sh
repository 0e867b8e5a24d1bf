#!/usr/bin/env bash
# fetch-git-credentials.sh HOST
# Reads the git token for HOST from AWS Secrets Manager at run time and stores it for the git
# credential helper (bin/git-credential-atx).
#   GIT_CREDENTIAL_SECRETS  comma list of host=secret-id (default github.com=atx/github-token);
#                           a host without an entry needs no token and nothing is fetched
#   ATX_GIT_CREDENTIALS_FILE  where "host<TAB>username<TAB>token" lines go (mode 0600)
#   ATX_REDACT_FILE           the token is appended here too (mode 0600) so that no log line can
#                             show it (lib/log.sh)
# The secret's SecretString is a bare token or JSON {"token": "...", "username": "..."}; the
# username defaults to the host's convention (x-access-token, oauth2, x-token-auth).
# The token never reaches a command line, a log line or stdout.
# Exit: 0 stored, or nothing to do, or the secret does not exist / is not readable (a warning:
# public repositories need no token); 64 bad usage; 65 the secret's content is not a usable
# token; 75 Secrets Manager unreachable after retries.
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
# shellcheck source=../lib/aws-step.sh
source "$ATX_LIB_DIR/aws-step.sh"

(($# == 1)) || log_fail "$EX_USAGE" "usage: fetch-git-credentials.sh HOST"
host=${1,,}
[[ -n ${ATX_GIT_CREDENTIALS_FILE:-} && -n ${ATX_REDACT_FILE:-} ]] ||
  log_fail "$EX_USAGE" "ATX_GIT_CREDENTIALS_FILE and ATX_REDACT_FILE must be set"

secret_id=""
IFS=',' read -r -a entries <<<"${GIT_CREDENTIAL_SECRETS-github.com=atx/github-token}"
for entry in "${entries[@]}"; do
  entry=${entry//[[:space:]]/}
  [[ -z $entry ]] && continue
  [[ $entry == ?*=?* ]] || log_fail "$EX_USAGE" "GIT_CREDENTIAL_SECRETS entries must be host=secret-id" entry "$entry"
  if [[ ${entry%%=*} == "$host" ]]; then
    secret_id=${entry#*=}
  fi
done
if [[ -z $secret_id ]]; then
  log_info "no git credential configured for host" host "$host"
  exit 0
fi
[[ $secret_id =~ ^[A-Za-z0-9/_+=.@:-]{1,2048}$ ]] || log_fail "$EX_USAGE" "invalid secret id" secret_id "$secret_id"

rc=0
secret=$(retry aws_try secretsmanager get-secret-value --secret-id "$secret_id" \
  --query SecretString --output text) || rc=$?
case $rc in
  0) ;;
  "$EX_NOINPUT" | "$EX_NOPERM" | "$EX_DATAERR")
    log_warn "git credential secret unavailable; continuing without it" host "$host" secret_id "$secret_id"
    exit 0
    ;;
  *) log_fail "$EX_TEMPFAIL" "Secrets Manager unreachable" secret_id "$secret_id" ;;
esac

token=$secret
username=""
if printf '%s' "$secret" | jq -e 'type == "object"' >/dev/null 2>&1; then
  token=$(printf '%s' "$secret" | jq -r '.token // empty | strings')
  username=$(printf '%s' "$secret" | jq -r '.username // empty | strings')
fi
# Trim surrounding whitespace (a trailing newline is common in pasted tokens).
token=${token#"${token%%[![:space:]]*}"}
token=${token%"${token##*[![:space:]]}"}
unset secret
[[ $token =~ ^[[:graph:]]{4,4096}$ ]] ||
  log_fail "$EX_DATAERR" "secret does not hold a usable token (bare string or JSON {\"token\": ...})" secret_id "$secret_id"
if [[ -z $username ]]; then
  case $host in
    gitlab.com | *.gitlab.com) username=oauth2 ;;
    bitbucket.org) username=x-token-auth ;;
    *) username=x-access-token ;;
  esac
fi
[[ $username =~ ^[A-Za-z0-9._@+-]{1,256}$ ]] || log_fail "$EX_DATAERR" "invalid username in secret" secret_id "$secret_id"

umask 077
mkdir -p -- "$(dirname "$ATX_GIT_CREDENTIALS_FILE")" "$(dirname "$ATX_REDACT_FILE")"
# The redaction list learns the token before anything else could print it.
printf '%s\n' "$token" >>"$ATX_REDACT_FILE"
chmod 600 "$ATX_REDACT_FILE"
tmp=$(mktemp "$ATX_GIT_CREDENTIALS_FILE.XXXXXX")
if [[ -f $ATX_GIT_CREDENTIALS_FILE ]]; then
  awk -F '\t' -v h="$host" '$1 != h' "$ATX_GIT_CREDENTIALS_FILE" >"$tmp"
fi
printf '%s\t%s\t%s\n' "$host" "$username" "$token" >>"$tmp"
chmod 600 "$tmp"
mv -f -- "$tmp" "$ATX_GIT_CREDENTIALS_FILE"
log_info "git credential stored for host" host "$host" secret_id "$secret_id"
