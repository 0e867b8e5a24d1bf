#!/usr/bin/env bash
# Points the job image at another digest of its base image: the `ARG BASE_IMAGE` pin and the
# `org.opencontainers.image.base.digest` label of container/Dockerfile, together.
#
#   scripts/bump-base-image.sh sha256:<64 hex> [DOCKERFILE]
#
# Exit codes: 0 updated (or already at that digest), 2 invalid arguments, 3 the Dockerfile does
# not have exactly one of each pin (nothing is written then).
set -Eeuo pipefail

usage() {
  echo "usage: $0 sha256:<64 hex digits> [DOCKERFILE]" >&2
  exit 2
}
(($# == 1 || $# == 2)) || usage
digest=$1
dockerfile=${2:-"$(dirname "$0")/../container/Dockerfile"}
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || {
  echo "bump-base-image: '$digest' is not a sha256 digest (sha256: and 64 lowercase hex digits)" >&2
  exit 2
}
[[ -f $dockerfile ]] || {
  echo "bump-base-image: no such file: $dockerfile" >&2
  exit 2
}

arg_re='^ARG BASE_IMAGE=public\.ecr\.aws/amazonlinux/amazonlinux:2023@sha256:[0-9a-f]{64}$'
label_re='org\.opencontainers\.image\.base\.digest="sha256:[0-9a-f]{64}"'
for pin in "$arg_re" "$label_re"; do
  count=$(grep -cE "$pin" "$dockerfile" || true)
  if [[ $count != 1 ]]; then
    echo "bump-base-image: expected one line matching $pin in $dockerfile, found $count" >&2
    exit 3
  fi
done

tmp=$(mktemp "$dockerfile.XXXXXX")
trap 'rm -f "$tmp"' EXIT
sed -E \
  -e "s|^(ARG BASE_IMAGE=public\.ecr\.aws/amazonlinux/amazonlinux:2023@)sha256:[0-9a-f]{64}$|\1$digest|" \
  -e "s|(org\.opencontainers\.image\.base\.digest=\")sha256:[0-9a-f]{64}\"|\1$digest\"|" \
  "$dockerfile" >"$tmp"
chmod --reference="$dockerfile" "$tmp"
mv "$tmp" "$dockerfile"
trap - EXIT
echo "bump-base-image: $dockerfile now pins $digest"
