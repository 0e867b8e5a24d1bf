#!/usr/bin/env bash
# install-archive.sh URL sha256|sha512 HEX DEST: image build helper. Downloads a .tar.gz, .tgz or
# .zip archive with a verified checksum (fetch-verified.sh) and unpacks it into DEST without its
# single top-level directory.
set -Eeuo pipefail

(($# == 4)) || {
  echo "usage: install-archive.sh URL sha256|sha512 HEX DEST" >&2
  exit 64
}
url=$1 algo=$2 sum=$3 dest=$4
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
"$(dirname "${BASH_SOURCE[0]}")/fetch-verified.sh" "$url" "$algo" "$sum" "$work/archive"
mkdir -p "$work/unpacked" "$dest"
case $url in
  *.tar.gz | *.tgz) tar -xzf "$work/archive" -C "$work/unpacked" ;;
  *.zip) unzip -q "$work/archive" -d "$work/unpacked" ;;
  *) echo "unsupported archive type: $url" >&2; exit 64 ;;
esac
shopt -s dotglob nullglob
top=("$work"/unpacked/*)
if ((${#top[@]} != 1)) || [[ ! -d ${top[0]} ]]; then
  echo "expected one top-level directory in $url" >&2
  exit 1
fi
mv "${top[0]}"/* "$dest"/
echo "installed $url into $dest"
