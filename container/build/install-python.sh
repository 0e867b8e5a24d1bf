#!/usr/bin/env bash
# install-python.sh VERSION SHA256: image build helper. Builds CPython VERSION from the python.org
# source tarball (checksum verified by fetch-verified.sh) into /opt/toolchains/python/<major.minor>
# and adds python, python3, pip and pip3 links there, so that `use python X.Y` can select it.
set -Eeuo pipefail

(($# == 2)) || {
  echo "usage: install-python.sh VERSION SHA256" >&2
  exit 64
}
version=$1 sum=$2
[[ $version =~ ^3\.[0-9]+\.[0-9]+$ ]] || { echo "bad version $version" >&2; exit 64; }
short=${version%.*}
prefix="/opt/toolchains/python/$short"
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

"$(dirname "${BASH_SOURCE[0]}")/fetch-verified.sh" \
  "https://www.python.org/ftp/python/$version/Python-$version.tar.xz" sha256 "$sum" "$work/python.tar.xz"
tar -xJf "$work/python.tar.xz" -C "$work"
cd "$work/Python-$version"
# 3.8 and 3.9 predate OpenSSL 3 support for SSLv3 symbols (same flag as pyenv uses).
cflags=""
[[ $short == 3.8 || $short == 3.9 ]] && cflags="-DOPENSSL_NO_SSL3"
./configure --prefix="$prefix" --with-ensurepip=install CFLAGS="$cflags" >/dev/null
make -j"$(nproc)" >/dev/null
make altinstall >/dev/null
rm -rf -- "$prefix/lib/python$short/test" "$prefix/share"
find "$prefix" -depth -type d -name __pycache__ -exec rm -rf -- {} +
ln -sf "python$short" "$prefix/bin/python3"
ln -sf "python$short" "$prefix/bin/python"
ln -sf "pip$short" "$prefix/bin/pip3"
ln -sf "pip$short" "$prefix/bin/pip"
"$prefix/bin/python3" -c 'import ssl, sqlite3, zlib, bz2, lzma, ctypes; print("ok")'
