#!/usr/bin/env bash
# link-toolchains.sh: image build helper. Gives every installed toolchain the layout the version
# switcher expects, /opt/toolchains/<language>/<version>/bin: Corretto JDKs from /usr/lib/jvm and
# the Node.js packages unpacked under /opt/toolchains/node. Fails if a promised version is missing.
set -Eeuo pipefail

mkdir -p /opt/toolchains/java
for version in 8 11 17 21; do
  name="java-$version-amazon-corretto"
  [[ $version == 8 ]] && name="java-1.8.0-amazon-corretto"
  jdk=$(find /usr/lib/jvm -maxdepth 1 -type d -name "$name*" | sort | head -n 1)
  [[ -n $jdk && -x $jdk/bin/java ]] || { echo "Corretto $version not found" >&2; exit 1; }
  ln -sfn "$jdk" "/opt/toolchains/java/$version"
done
for version in 16 18 20 22 24; do
  "/opt/toolchains/node/$version/bin/node" --version
  "/opt/toolchains/node/$version/bin/node" "/opt/toolchains/node/$version/lib/node_modules/npm/bin/npm-cli.js" --version
done
for version in 3.8 3.9 3.10 3.11 3.12 3.13; do
  "/opt/toolchains/python/$version/bin/python3" --version
done
