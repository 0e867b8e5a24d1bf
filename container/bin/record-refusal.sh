#!/usr/bin/env bash
# record-refusal.sh CODE OUTPUT: writes why the job refused its input to
# s3://$S3_BUCKET/$OUTPUT_PREFIX/OUTPUT/refusal.json, where the API's job view reads it (AWS Batch's
# own status reason only says that the container exited). The reason is the last error line of
# ATX_LOG_FILE (its message and "reason" field, already redacted), with the limits in force:
#   {"exitCode": 65, "reason": "archive refused: archive expands to more than ... bytes (ATX_ZIP_MAX_BYTES)",
#    "limits": {"zipMaxBytes": ..., "zipMaxFiles": ..., "archiveMaxBytes": ...}, "time": "<ISO 8601>"}
# Best effort: a failed write is logged, never changes the job's exit code. Always exits 0.
set -Eeuo pipefail

ATX_LIB_DIR=${ATX_LIB_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)"}
# shellcheck source=../lib/aws-step.sh
source "$ATX_LIB_DIR/aws-step.sh"

code=$1
output=$2
reason=$(jq -r 'select(.level == "error") | .message + (if .reason then ": " + .reason else "" end)' \
  "${ATX_LOG_FILE:-/dev/null}" 2>/dev/null | tail -n 1) || reason=""
record=$(jq -n --argjson code "$code" --arg reason "${reason:-refused with exit $code}" \
  --argjson zmb "${ATX_ZIP_MAX_BYTES:-2147483648}" --argjson zmf "${ATX_ZIP_MAX_FILES:-100000}" \
  --argjson amb "${ATX_ZIP_MAX_ARCHIVE_BYTES:-1073741824}" \
  '{exitCode: $code, reason: $reason[:1000], time: (now | todate),
    limits: {zipMaxBytes: $zmb, zipMaxFiles: $zmf, archiveMaxBytes: $amb}}')
dest="s3://${S3_ACCESS_POINT:-$S3_BUCKET}/${OUTPUT_PREFIX:-transformations}/$output/refusal.json"
rc=0
retry aws_try s3 cp --only-show-errors --no-progress --content-type application/json - "$dest" <<<"$record" || rc=$?
if ((rc == 0)); then
  log_info "refusal recorded" location "$dest"
else
  log_warn "refusal could not be recorded" location "$dest" exit_code "$rc"
fi
exit 0
