#!/usr/bin/env bash
# safe-unzip.sh ARCHIVE TARGET_DIR: the zip extraction guard. Checks every entry of ARCHIVE before
# writing anything, then extracts into TARGET_DIR (created if missing; must be empty).
# The inspection and extraction are done by lib/zip_guard.py (Python standard library zipfile):
# entries escaping TARGET_DIR (../, absolute paths, symlinks pointing out), special files,
# encrypted entries and archives past the limits are refused before extraction.
# Limits (environment): ATX_ZIP_MAX_BYTES (uncompressed total, default 2147483648 = 2 GiB),
# ATX_ZIP_MAX_FILES (entries, default 100000).
# Exit: 0 extracted; 64 bad usage; 65 refused (hostile or invalid archive).
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
# shellcheck source=../lib/exit-codes.sh
source "$ATX_LIB_DIR/exit-codes.sh"
# shellcheck source=../lib/log.sh
source "$ATX_LIB_DIR/log.sh"
log_install_error_trap

(($# == 2)) || log_fail "$EX_USAGE" "usage: safe-unzip.sh ARCHIVE TARGET_DIR"
archive=$1
target=$2
max_bytes=${ATX_ZIP_MAX_BYTES:-2147483648}
max_files=${ATX_ZIP_MAX_FILES:-100000}
[[ $max_bytes =~ ^[0-9]{1,15}$ && $max_files =~ ^[0-9]{1,9}$ ]] ||
  log_fail "$EX_USAGE" "ATX_ZIP_MAX_BYTES and ATX_ZIP_MAX_FILES must be integers"
[[ -f $archive ]] || log_fail "$EX_USAGE" "archive not found" archive "$archive"
mkdir -p -- "$target"

rc=0
result=$(python3 "$ATX_LIB_DIR/zip_guard.py" "$archive" "$target" "$max_bytes" "$max_files" 2>&1) || rc=$?
case $rc in
  0) log_info "archive extracted" summary "$result" ;;
  "$EX_DATAERR") log_fail "$EX_DATAERR" "archive refused" reason "$result" ;;
  "$EX_USAGE") log_fail "$EX_USAGE" "archive could not be extracted" reason "$result" ;;
  *) log_fail "$EX_SOFTWARE" "zip guard failed" exit_code "$rc" reason "${result:0:400}" ;;
esac
