#!/usr/bin/env bash
# fetch-source.sh --check SOURCE      validate SOURCE; print its kind: "git HOST", "s3-zip" or "s3-prefix"
# fetch-source.sh SOURCE TARGET_DIR   validate, then download SOURCE into TARGET_DIR (missing or empty)
#
# SOURCE forms:
#   <scheme>://<host>[:port]/<owner>/<repo>[.git]  git; scheme in ALLOWED_GIT_SCHEMES (default https),
#                                                  host in ALLOWED_GIT_HOSTS (default github.com,
#                                                  gitlab.com,bitbucket.org), exact match
#   s3://$SOURCE_BUCKET/<key>.zip                  a zip archive, extracted by safe-unzip.sh
#   s3://$SOURCE_BUCKET/<prefix>/                  every object under the prefix
# Always refused: file://, ext::, ssh://, scp-like "user@host:path" (no scheme), user-info
# (credentials) in the URL, link-local / instance-metadata addresses (169.254.0.0/16,
# fd00:ec2::/32, fe80::/10), numeric host forms other than dotted quads, query strings,
# fragments, ".." path segments and any whitespace or control character.
# Git: shallow clone (ATX_GIT_DEPTH, default 1; 0 = full history), no redirects, protocols limited
# to the allowed schemes (GIT_ALLOW_PROTOCOL), no prompts. Credentials, if any, come from the
# credential helper configured by the caller (see fetch-git-credentials.sh).
# S3 prefixes: every key is checked (no "..", no absolute or control-character keys) and the
# count and total size are held to ATX_ZIP_MAX_FILES and ATX_ZIP_MAX_BYTES before downloading.
# Zips larger than ATX_ZIP_MAX_ARCHIVE_BYTES (default 1 GiB) are refused before downloading; the
# download is pinned to the ETag and byte count that check saw (If-Match and Range).
# Git inside the job cannot be steered by the source (lib/git-guard.sh): a zip or prefix loses every
# ".git" it brings, a clone keeps only format, remote and branch settings and no hooks.
# A source that is not a git work tree is made one (one commit) so that ATX can track its changes.
# Exit: 0; 64 bad usage or configuration; 65 refused or not found; 75 download failed after retries.
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
ATX_BIN_DIR=${ATX_BIN_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"}
# shellcheck source=../lib/aws-step.sh
source "$ATX_LIB_DIR/aws-step.sh"
# shellcheck source=../lib/git-guard.sh
source "$ATX_LIB_DIR/git-guard.sh"

refuse() { log_fail "$EX_DATAERR" "source refused: $1" "${@:2}"; }

# Splits a comma list into the named array: trimmed, lower-cased, empty items dropped.
split_list() {
  local -n _into=$1
  local item
  _into=()
  local -a raw
  IFS=',' read -r -a raw <<<"$2"
  for item in "${raw[@]}"; do
    item=${item//[[:space:]]/}
    [[ -n $item ]] && _into+=("${item,,}")
  done
  return 0
}

in_list() {
  local needle=$1 item
  shift
  for item in "$@"; do
    [[ $item == "$needle" ]] && return 0
  done
  return 1
}

is_metadata_host() {
  local host=$1
  case $host in
    169.254.* | "[fd00:ec2:"* | "[fe8"* | "[fe9"* | "[fea"* | "[feb"* | "[::ffff:169.254."* | "[::ffff:a9fe:"*)
      return 0 ;;
    metadata | metadata.google.internal | instance-data | instance-data.ec2.internal | 0.0.0.0 | "[::]")
      return 0 ;;
  esac
  return 1
}

# Hosts written as one number, in hex or with leading zeros point at addresses a reader
# would not recognise (2852039166 is 169.254.169.254).
is_odd_numeric_host() {
  local host=$1 part
  [[ $host =~ ^[0-9]+$ || $host =~ (^|\.)0[xX] ]] && return 0
  if [[ $host =~ ^[0-9.]+$ ]]; then
    local -a parts
    IFS=. read -r -a parts <<<"$host"
    ((${#parts[@]} == 4)) || return 0
    for part in "${parts[@]}"; do
      [[ $part =~ ^(0|[1-9][0-9]{0,2})$ ]] && ((part <= 255)) || return 0
    done
  fi
  return 1
}

# Sets GIT_URL_HOST on success; exits 65 with a reason otherwise.
check_git_url() {
  local url=$1
  ((${#url} <= 2048)) || refuse "URL too long"
  [[ $url =~ ^[[:graph:]]+$ ]] || refuse "URL contains whitespace or control characters"
  [[ $url =~ ^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(/[^?#]*)?$ ]] ||
    refuse "not a plain <scheme>://host/path URL (scp-like, query and fragment forms are refused)"
  local scheme=${BASH_REMATCH[1],,} authority=${BASH_REMATCH[2]} path=${BASH_REMATCH[3]:-}
  case $scheme in
    file | ext | fd) refuse "scheme not allowed" scheme "$scheme" ;;
  esac
  local -a schemes hosts
  split_list schemes "${ALLOWED_GIT_SCHEMES:-https}"
  split_list hosts "${ALLOWED_GIT_HOSTS:-github.com,gitlab.com,bitbucket.org}"
  in_list "$scheme" "${schemes[@]}" || refuse "scheme not allowed" scheme "$scheme"
  [[ $authority != *@* ]] || refuse "credentials in URLs are not accepted"
  local host
  if [[ $authority =~ ^(\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$ ]]; then
    host=${BASH_REMATCH[1],,}
  elif [[ $authority =~ ^([A-Za-z0-9.-]+)(:[0-9]{1,5})?$ ]]; then
    host=${BASH_REMATCH[1],,}
    host=${host%.}
  else
    refuse "invalid host" host "$authority"
  fi
  is_metadata_host "$host" && refuse "link-local or instance-metadata address" host "$host"
  is_odd_numeric_host "$host" && refuse "numeric host form not accepted" host "$host"
  in_list "$host" "${hosts[@]}" || refuse "host not allowed" host "$host"
  [[ $path =~ ^(/[A-Za-z0-9._~-]+){2,}/?$ ]] || refuse "repository path must be /<owner>/<repo>" path "$path"
  [[ ! $path =~ /\.\.?(/|$) ]] || refuse "dot segments in repository path" path "$path"
  GIT_URL_HOST=$host
}

# Sets S3_SRC_BUCKET, S3_SRC_KEY and S3_SRC_KIND (zip|prefix), and S3_SRC_ADDRESS: where the
# requests go, the job's access point (SOURCE_ACCESS_POINT, its ARN) when the stack gives it one.
check_s3_url() {
  local url=$1
  [[ $url =~ ^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$ ]] || refuse "invalid S3 URL"
  S3_SRC_BUCKET=${BASH_REMATCH[1]}
  S3_SRC_KEY=${BASH_REMATCH[2]}
  [[ -n ${SOURCE_BUCKET:-} ]] || log_fail "$EX_USAGE" "SOURCE_BUCKET is not set; S3 sources are unavailable"
  [[ $S3_SRC_BUCKET == "$SOURCE_BUCKET" ]] || refuse "only the source bucket may be read" bucket "$S3_SRC_BUCKET"
  S3_SRC_ADDRESS=${SOURCE_ACCESS_POINT:-$S3_SRC_BUCKET}
  ((${#S3_SRC_KEY} <= 1024)) || refuse "S3 key too long"
  [[ $S3_SRC_KEY =~ ^[[:print:]]+$ ]] || refuse "S3 key contains control characters"
  [[ $S3_SRC_KEY != /* && $S3_SRC_KEY != *//* ]] || refuse "S3 key with empty segments"
  [[ ! $S3_SRC_KEY =~ (^|/)\.\.?(/|$) ]] || refuse "dot segments in S3 key"
  if [[ ${S3_SRC_KEY,,} == *.zip ]]; then
    S3_SRC_KIND=zip
  elif [[ $S3_SRC_KEY == */ ]]; then
    S3_SRC_KIND=prefix
  else
    refuse "S3 source must be a .zip object or a prefix ending with /"
  fi
}

classify() {
  local source=$1
  case $source in
    s3://*)
      check_s3_url "$source"
      printf 's3-%s\n' "$S3_SRC_KIND"
      ;;
    *)
      check_git_url "$source"
      printf 'git %s\n' "$GIT_URL_HOST"
      ;;
  esac
}

empty_target() {
  find "$TARGET" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} + 2>/dev/null
}

git_clone_once() {
  local url=$1 err rc=0
  empty_target || return 1
  local -a depth_args=()
  if [[ ${ATX_GIT_DEPTH:-1} != 0 ]]; then
    depth_args=(--depth "${ATX_GIT_DEPTH:-1}")
  fi
  local -a schemes
  split_list schemes "${ALLOWED_GIT_SCHEMES:-https}"
  local protocols
  protocols=$(IFS=:; printf '%s' "${schemes[*]}")
  err=$(GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false \
    GIT_ALLOW_PROTOCOL=$protocols \
    git -c http.followRedirects=false -c protocol.file.allow=never -c core.hooksPath=/dev/null \
    -c submodule.recurse=false -c init.defaultBranch=main \
    clone --quiet "${depth_args[@]}" -- "$url" "$TARGET" 2>&1) || rc=$?
  if ((rc == 0)); then
    return 0
  fi
  case $err in
    *"not found"* | *"Authentication failed"* | *"could not read Username"* | *"could not read Password"* | *"terminal prompts disabled"* | *"error: 401"* | *"error: 403"* | *"error: 404"* | *"does not appear to be a git repository"*)
      log_error "git clone failed" kind permanent detail "${err:0:400}"
      return "$EX_DATAERR"
      ;;
  esac
  log_warn "git clone failed" kind transient detail "${err:0:400}"
  return 1
}

s3_zip() {
  local head rc=0
  head=$(retry aws_try s3api head-object --bucket "$S3_SRC_ADDRESS" --key "$S3_SRC_KEY" \
    --query '[ContentLength, ETag]' --output text) || rc=$?
  case $rc in
    0) ;;
    "$EX_NOINPUT") refuse "source archive not found" key "$S3_SRC_KEY" ;;
    "$EX_NOPERM") refuse "source archive not readable (access denied)" key "$S3_SRC_KEY" ;;
    "$EX_DATAERR") refuse "source archive request rejected" key "$S3_SRC_KEY" ;;
    *) log_fail "$EX_TEMPFAIL" "could not reach the source archive" key "$S3_SRC_KEY" ;;
  esac
  local max=${ATX_ZIP_MAX_ARCHIVE_BYTES:-1073741824} size etag
  read -r size etag <<<"$head"
  [[ $size =~ ^[0-9]+$ && -n $etag ]] || log_fail "$EX_TEMPFAIL" "unexpected object size or ETag" head "$head"
  ((size <= max)) || refuse "archive larger than ${max} bytes (ATX_ZIP_MAX_ARCHIVE_BYTES)" size "$size"
  ((size > 0)) || refuse "source archive is empty" key "$S3_SRC_KEY"
  local dl_dir
  dl_dir=$(mktemp -d "${ATX_WORK_DIR:-${TMPDIR:-/tmp}}/download.XXXXXX")
  # The object whose size was checked, and no more than that many bytes: an object replaced
  # after the check fails the If-Match (412) instead of being downloaded whatever its size.
  rc=0
  retry aws_try s3api get-object --bucket "$S3_SRC_ADDRESS" --key "$S3_SRC_KEY" --if-match "$etag" \
    --range "bytes=0-$((size - 1))" "$dl_dir/source.zip" >/dev/null || rc=$?
  if ((rc != 0)); then
    rm -rf -- "$dl_dir"
    ((rc == EX_TEMPFAIL)) && log_fail "$EX_TEMPFAIL" "source archive download failed"
    ((rc == EX_DATAERR)) && refuse "source archive changed between the size check and the download" key "$S3_SRC_KEY"
    refuse "source archive could not be downloaded"
  fi
  local got
  got=$(stat -c %s "$dl_dir/source.zip")
  ((got == size)) || {
    rm -rf -- "$dl_dir"
    refuse "source archive size changed during the download" expected "$size" got "$got"
  }
  rc=0
  "$ATX_BIN_DIR/safe-unzip.sh" "$dl_dir/source.zip" "$TARGET" || rc=$?
  rm -rf -- "$dl_dir"
  ((rc == 0)) || exit "$rc"
}

s3_prefix() {
  local listing rc=0
  listing=$(retry aws_try s3api list-objects-v2 --bucket "$S3_SRC_ADDRESS" --prefix "$S3_SRC_KEY" \
    --output json --query 'Contents[].{k: Key, s: Size}') || rc=$?
  case $rc in
    0) ;;
    "$EX_NOINPUT" | "$EX_NOPERM" | "$EX_DATAERR") refuse "source prefix cannot be listed" prefix "$S3_SRC_KEY" ;;
    *) log_fail "$EX_TEMPFAIL" "could not list the source prefix" prefix "$S3_SRC_KEY" ;;
  esac
  local verdict
  verdict=$(printf '%s' "$listing" | jq -r --arg p "$S3_SRC_KEY" \
    --argjson maxb "${ATX_ZIP_MAX_BYTES:-2147483648}" --argjson maxf "${ATX_ZIP_MAX_FILES:-100000}" '
    [(. // [])[] | select(.k | endswith("/") | not)] as $files
    | ([$files[].s] | add // 0) as $bytes
    | [$files[] | .k[($p | length):]
       | select(test("(^|/)\\.\\.?(/|$)") or startswith("/") or test("//")
                or (explode | any(. < 32 or . == 127 or . == 92)))] as $bad
    | if ($files | length) == 0 then "ERROR no objects under the prefix"
      elif ($files | length) > $maxf then "ERROR \($files | length) objects, limit is \($maxf)"
      elif $bytes > $maxb then "ERROR \($bytes) bytes, limit is \($maxb)"
      elif ($bad | length) > 0 then "ERROR hostile key \($bad[0] | @json)"
      else "OK \($files | length) \($bytes)" end')
  [[ $verdict == OK* ]] || refuse "${verdict#ERROR }" prefix "$S3_SRC_KEY"
  rc=0
  retry aws_try s3 cp --recursive --only-show-errors --no-progress \
    --exclude '../*' --exclude '*/../*' "s3://$S3_SRC_ADDRESS/$S3_SRC_KEY" "$TARGET" || rc=$?
  ((rc == 0)) || log_fail "$EX_TEMPFAIL" "source prefix download failed" prefix "$S3_SRC_KEY"
  log_info "source prefix downloaded" summary "${verdict#OK }"
}

ensure_git_repo() {
  [[ -e "$TARGET/.git" ]] && return 0
  log_info "source is not a git work tree; recording it as one commit"
  local name=${GIT_AUTHOR_NAME:-AWS Transform job} email=${GIT_AUTHOR_EMAIL:-atx-job@localhost}
  git -C "$TARGET" -c init.defaultBranch=main init -q
  git -C "$TARGET" add -A
  git -C "$TARGET" -c user.name="$name" -c user.email="$email" -c core.hooksPath=/dev/null \
    commit -q --allow-empty --no-verify -m "Source snapshot before transformation"
}

main() {
  if [[ ${1:-} == --check ]]; then
    (($# == 2)) || log_fail "$EX_USAGE" "usage: fetch-source.sh --check SOURCE"
    classify "$2"
    return 0
  fi
  (($# == 2)) || log_fail "$EX_USAGE" "usage: fetch-source.sh SOURCE TARGET_DIR"
  local source=$1
  TARGET=$2
  [[ $TARGET == /* && $TARGET != / ]] || log_fail "$EX_USAGE" "TARGET_DIR must be an absolute path"
  mkdir -p -- "$TARGET"
  [[ -z "$(find "$TARGET" -mindepth 1 -maxdepth 1 -print -quit)" ]] ||
    log_fail "$EX_USAGE" "TARGET_DIR is not empty" target "$TARGET"
  git_guard_env
  local kind
  kind=$(classify "$source") || exit $?
  log_info "downloading source" kind "${kind%% *}" source "$source"
  case $kind in
    git\ *)
      local rc=0
      retry git_clone_once "$source" || rc=$?
      case $rc in
        0) ;;
        "$EX_DATAERR") refuse "repository not found or not accessible" ;;
        *) log_fail "$EX_TEMPFAIL" "git clone failed after retries" ;;
      esac
      ;;
    s3-zip)
      check_s3_url "$source"
      s3_zip
      ;;
    s3-prefix)
      check_s3_url "$source"
      s3_prefix
      ;;
  esac
  git_guard_source "$TARGET" "${kind%% *}"
  ensure_git_repo
  log_info "source ready" target "$TARGET"
}

main "$@"
