#!/usr/bin/env bash
# load-mcp-config.sh: copies the MCP server configuration for the ATX CLI from
# s3://$SOURCE_BUCKET/$MCP_CONFIG_KEY (default config/mcp.json) to ATX_MCP_CONFIG_PATH (default
# $HOME/.aws/atx/mcp.json, where the ATX CLI reads it), mode 0600, when it is present.
# Absent (or no SOURCE_BUCKET): nothing to do. Present but not a JSON object: refused.
# Exit: 0 loaded or nothing to load; 64 bad configuration; 65 the file is not a JSON object;
# 75 S3 unreachable after retries.
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
# shellcheck source=../lib/aws-step.sh
source "$ATX_LIB_DIR/aws-step.sh"

bucket=${SOURCE_BUCKET:-}
# Requests go through the job's access point (its ARN) when the stack gives it one.
address=${SOURCE_ACCESS_POINT:-$bucket}
key=${MCP_CONFIG_KEY:-config/mcp.json}
target=${ATX_MCP_CONFIG_PATH:-"$HOME/.aws/atx/mcp.json"}
max_bytes=${ATX_MCP_CONFIG_MAX_BYTES:-1048576}

if [[ -z $bucket ]]; then
  log_info "SOURCE_BUCKET not set; no MCP configuration to load"
  exit 0
fi
[[ $key =~ ^[A-Za-z0-9._/-]{1,1024}$ && ! $key =~ (^|/)\.\.?(/|$) && $key != /* ]] ||
  log_fail "$EX_USAGE" "invalid MCP_CONFIG_KEY" key "$key"

rc=0
size=$(retry aws_try s3api head-object --bucket "$address" --key "$key" --query ContentLength --output text) || rc=$?
case $rc in
  0) ;;
  "$EX_NOINPUT")
    log_info "no MCP configuration in the source bucket" key "$key"
    exit 0
    ;;
  "$EX_NOPERM" | "$EX_DATAERR")
    log_warn "MCP configuration not readable; continuing without it" key "$key"
    exit 0
    ;;
  *) log_fail "$EX_TEMPFAIL" "could not check for the MCP configuration" key "$key" ;;
esac
if [[ ! $size =~ ^[0-9]+$ ]] || ((size > max_bytes)); then
  log_fail "$EX_DATAERR" "MCP configuration too large" size "$size" limit "$max_bytes"
fi

umask 077
mkdir -p -- "$(dirname "$target")"
tmp=$(mktemp "$target.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
rc=0
retry aws_try s3 cp --only-show-errors --no-progress "s3://$address/$key" "$tmp" || rc=$?
((rc == 0)) || log_fail "$EX_TEMPFAIL" "MCP configuration download failed" key "$key"
jq -e 'type == "object"' "$tmp" >/dev/null 2>&1 ||
  log_fail "$EX_DATAERR" "MCP configuration is not a JSON object" key "$key"
chmod 600 "$tmp"
mv -f -- "$tmp" "$target"
log_info "MCP configuration loaded" key "$key" path "$target" \
  servers "$(jq -r '(.mcpServers // {}) | keys | join(",")' "$target")"
