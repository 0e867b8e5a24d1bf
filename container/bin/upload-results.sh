#!/usr/bin/env bash
# upload-results.sh s3://BUCKET/PREFIX/ NAME=LOCAL_DIR [NAME=LOCAL_DIR]...
# Uploads the regular files under each LOCAL_DIR to s3://BUCKET/PREFIX/NAME/ in one copy, leaving
# out everything that matches, ignoring case,
# the sensitive-file list ATX_EXCLUSIONS_FILE (default: upload-exclusions.txt beside bin/; its
# header states the matching rules) and every symbolic link (a link could point at a file outside
# the workspace). The selected files are copied into a staging directory first, so the upload
# sees exactly the list that was checked. The staged files are then scanned for secrets
# (lib/secret_scan.py, detect-secrets): a file with a finding is held back and logged with its
# name and the kinds of finding, never the value; in the parts named in ATX_UPLOAD_REDACT_PARTS
# (space-separated, e.g. "logs") the values are replaced by *** instead. Parts are staged and
# scanned in the order given, so a log staged last records what was held back before it.
# ATX_SECRET_SCAN_PYTHON: the Python with detect-secrets (default /opt/atx-scan/bin/python3).
# ATX_S3_SSE (optional: AES256 or aws:kms) asks for that server-side encryption explicitly;
# otherwise the bucket's default encryption applies.
# Exit: 0 uploaded (or nothing to upload); 64 bad usage or an invalid exclusion file;
# 70 the secret scan could not run (nothing is uploaded); 75 the upload failed after retries.
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
# shellcheck source=../lib/aws-step.sh
source "$ATX_LIB_DIR/aws-step.sh"

(($# >= 2)) || log_fail "$EX_USAGE" "usage: upload-results.sh s3://BUCKET/PREFIX/ NAME=LOCAL_DIR..."
dest=$1
shift
parts=("$@")
exclusions=${ATX_EXCLUSIONS_FILE:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/upload-exclusions.txt"}

for part in "${parts[@]}"; do
  [[ $part =~ ^[A-Za-z0-9._-]+=/ && ${part%%=*} != . && ${part%%=*} != .. ]] ||
    log_fail "$EX_USAGE" "parts must be NAME=/absolute/dir" part "$part"
done
# The bucket, or an access point's ARN (where the stack gives the job one).
[[ $dest =~ ^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|arn:aws[a-z-]*:s3:[a-z0-9-]+:[0-9]{12}:accesspoint/[a-z0-9-]{3,50})/([A-Za-z0-9._=-]+/)+$ ]] ||
  log_fail "$EX_USAGE" "destination must be s3://bucket/prefix/ (plain characters, ending with /)" dest "$dest"
[[ ! $dest =~ /\.\.?/ ]] || log_fail "$EX_USAGE" "dot segments in the destination" dest "$dest"
[[ -r $exclusions ]] || log_fail "$EX_USAGE" "exclusion list not readable" file "$exclusions"

# Whether a pattern avoids the bracket syntax whose glibc meaning depends on the locale and on the
# name being matched, which no other reader of the list can repeat: a collating symbol or an
# equivalence class ("[." or "[=" inside a bracket expression), and "[:" not starting a POSIX class.
supported_brackets() {
  local p=$1 classes='alnum|alpha|blank|cntrl|digit|graph|lower|print|punct|space|upper|xdigit'
  local symbol_in_bracket='\[[!^]?\]?(\\.|[^]\\])*\[(\.|=)'
  while [[ $p =~ \[:($classes):\] ]]; do
    p=${p/"${BASH_REMATCH[0]}"/c}
  done
  [[ $p != *'[:'* && ! $p =~ $symbol_in_bracket ]]
}

# Reads the exclusion list into dir_patterns (trailing "/") and name_patterns.
dir_patterns=()
name_patterns=()
while IFS= read -r line || [[ -n $line ]]; do
  line=${line%$'\r'}
  line=${line#"${line%%[![:space:]]*}"}
  line=${line%"${line##*[![:space:]]}"}
  [[ -z $line || $line == \#* ]] && continue
  supported_brackets "$line" ||
    log_fail "$EX_USAGE" "invalid exclusion pattern" pattern "$line" reason "unsupported bracket syntax"
  if [[ $line == */ ]]; then
    line=${line%/}
    [[ -n $line && $line != */* ]] || log_fail "$EX_USAGE" "invalid exclusion pattern" pattern "$line/"
    dir_patterns+=("$line")
  else
    [[ $line != */* ]] || log_fail "$EX_USAGE" "invalid exclusion pattern" pattern "$line"
    name_patterns+=("$line")
  fi
done <"$exclusions"

# find -name expression "( -name P1 -o -name P2 ... )" for the named array.
name_expr() {
  local -n _patterns=$1
  local -n _expr=$2
  local p first=1
  _expr=()
  for p in "${_patterns[@]}"; do
    ((first)) || _expr+=(-o)
    _expr+=(-iname "$p")
    first=0
  done
}

all_dir_patterns=("${dir_patterns[@]}" "${name_patterns[@]}")
filters=()
if ((${#all_dir_patterns[@]})); then
  name_expr all_dir_patterns dir_expr
  filters+=('(' -type d '(' "${dir_expr[@]}" ')' -printf 'D %P\0' -prune ')' -o)
fi
if ((${#name_patterns[@]})); then
  name_expr name_patterns file_expr
  filters+=('(' '!' -type d '(' "${file_expr[@]}" ')' -printf 'X %P\0' ')' -o)
fi
filters+=('(' -type l -printf 'L %P\0' ')' -o '(' -type f -printf 'F %P\0' ')')

work=${ATX_WORK_DIR:-${TMPDIR:-/tmp}}
mkdir -p -- "$work"
stage=$(mktemp -d "$work/upload-stage.XXXXXX")
list="$stage.list"
trap 'rm -rf -- "$stage" "$list" "$stage.scan-err"' EXIT

# Copies the selected files of one part into the staging directory.
stage_part() {
  local name=$1 src=$2
  local selected=0 excluded=0 links=0 record kind rel
  : >"$list"
  while IFS= read -r -d '' record; do
    kind=${record:0:1}
    rel=${record:2}
    case $kind in
      F)
        printf './%s\0' "$rel" >>"$list"
        selected=$((selected + 1))
        ;;
      D | X)
        excluded=$((excluded + 1))
        log_debug "excluded from upload" path "$name/$rel"
        ;;
      L)
        links=$((links + 1))
        log_debug "symbolic link not uploaded" path "$name/$rel"
        ;;
    esac
  done < <(find "$src" -mindepth 1 "${filters[@]}")
  log_info "upload selection" dest "$dest$name/" files "$selected" excluded "$excluded" symlinks_skipped "$links"
  if ((selected > 0)); then
    mkdir -p -- "$stage/$name"
    tar -C "$src" --null --verbatim-files-from --no-recursion -T "$list" -cf - | tar -C "$stage/$name" -xf -
    scan_part "$name"
  fi
  total=$((total + selected))
}

# Scans the staged part NAME for secrets: holds back (deletes) or redacts files with findings.
scan_part() {
  local name=$1 mode=hold-back findings rc=0 finding
  [[ " ${ATX_UPLOAD_REDACT_PARTS:-} " == *" $name "* ]] && mode=redact
  findings=$("${ATX_SECRET_SCAN_PYTHON:-/opt/atx-scan/bin/python3}" "$ATX_LIB_DIR/secret_scan.py" \
    "$mode" "$stage/$name" 2>"$stage.scan-err") || rc=$?
  ((rc == 0)) || log_fail "$EX_SOFTWARE" "secret scan failed; nothing uploaded" part "$name" \
    exit_code "$rc" detail "$(head -c 400 "$stage.scan-err")"
  while IFS= read -r finding; do
    [[ -n $finding ]] || continue
    log_warn "secret detected: file $(jq -r .action <<<"$finding")" path "$name/$(jq -r .path <<<"$finding")" \
      kinds "$(jq -r '.types | join(", ")' <<<"$finding")"
    if [[ $mode == hold-back ]]; then
      selected=$((selected - 1))
      held_back=$((held_back + 1))
    fi
  done <<<"$findings"
}

total=0
held_back=0
for part in "${parts[@]}"; do
  name=${part%%=*}
  src=${part#*=}
  [[ -d $src ]] || log_fail "$EX_USAGE" "not a directory" dir "$src"
  stage_part "$name" "$src"
done
if ((total == 0)); then
  log_info "nothing to upload" dest "$dest" held_back "$held_back"
  exit 0
fi

# "cp --recursive" needs only s3:PutObject under the prefix ("sync" would also list the bucket).
sync_args=(s3 cp --recursive "$stage" "$dest" --only-show-errors --no-progress --no-follow-symlinks)
if [[ -n ${ATX_S3_SSE:-} ]]; then
  [[ $ATX_S3_SSE == AES256 || $ATX_S3_SSE == aws:kms ]] || log_fail "$EX_USAGE" "ATX_S3_SSE must be AES256 or aws:kms"
  sync_args+=(--sse "$ATX_S3_SSE")
fi
rc=0
retry aws_try "${sync_args[@]}" || rc=$?
((rc == 0)) || log_fail "$EX_TEMPFAIL" "upload failed" dest "$dest" exit_code "$rc"
log_info "uploaded" dest "$dest" files "$total" held_back "$held_back"
