#!/usr/bin/env bash
# fetch-verified.sh URL sha256|sha512 HEX OUT: image build helper. Downloads URL over HTTPS to OUT
# and checks it against the pinned checksum; on a mismatch OUT is deleted and the build fails.
set -Eeuo pipefail

(($# == 4)) || {
  echo "usage: fetch-verified.sh URL sha256|sha512 HEX OUT" >&2
  exit 64
}
url=$1 algo=$2 sum=$3 out=$4
case $algo in
  sha256) [[ $sum =~ ^[0-9a-f]{64}$ ]] || { echo "bad sha256 for $url" >&2; exit 64; } ;;
  sha512) [[ $sum =~ ^[0-9a-f]{128}$ ]] || { echo "bad sha512 for $url" >&2; exit 64; } ;;
  *) echo "unsupported algorithm $algo" >&2; exit 64 ;;
esac
[[ $url == https://* ]] || { echo "refusing a non-https URL: $url" >&2; exit 64; }
curl --proto '=https' --tlsv1.2 -fsSL --retry 5 --retry-delay 2 -o "$out" "$url"
if ! printf '%s  %s\n' "$sum" "$out" | "${algo}sum" --check --status; then
  echo "checksum mismatch for $url" >&2
  rm -f -- "$out"
  exit 1
fi
echo "verified $algo of $url"
