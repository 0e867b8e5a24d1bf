#!/usr/bin/env bats
# Version switchers (bin/use, use-java, use-python, use-node): symlinks in the user's own
# directory, no root, on fake toolchain directories.

load helpers

setup() {
  export ATX_TOOLCHAINS_DIR="$BATS_TEST_TMPDIR/toolchains"
  export ATX_TOOLCHAIN_LINKS_DIR="$BATS_TEST_TMPDIR/home/.toolchains"
  local v
  for v in 8 11 17 21; do fake_toolchain java "$v" java; done
  for v in 3.8 3.9 3.10 3.11 3.12 3.13; do fake_toolchain python "$v" python3; done
  for v in 16 18 20 22 24; do fake_toolchain node "$v" node; done
}

# A toolchain directory whose binary prints "<language> <version>".
fake_toolchain() {
  local lang=$1 version=$2 binary=$3
  mkdir -p "$ATX_TOOLCHAINS_DIR/$lang/$version/bin"
  printf '#!/usr/bin/env bash\necho "%s %s"\n' "$lang" "$version" >"$ATX_TOOLCHAINS_DIR/$lang/$version/bin/$binary"
  chmod +x "$ATX_TOOLCHAINS_DIR/$lang/$version/bin/$binary"
}

@test "use-java 21 points the user's java link at Corretto 21 and java on PATH answers 21" {
  run "$BIN/use-java" 21
  [ "$status" -eq 0 ]
  [ "$(readlink "$ATX_TOOLCHAIN_LINKS_DIR/java")" = "$ATX_TOOLCHAINS_DIR/java/21" ]
  PATH="$ATX_TOOLCHAIN_LINKS_DIR/java/bin:$PATH" run java
  [ "$output" = "java 21" ]
}

@test "switching again replaces the link (java 21 then 8)" {
  "$BIN/use-java" 21
  "$BIN/use" java 8
  [ "$(readlink "$ATX_TOOLCHAIN_LINKS_DIR/java")" = "$ATX_TOOLCHAINS_DIR/java/8" ]
  PATH="$ATX_TOOLCHAIN_LINKS_DIR/java/bin:$PATH" run java
  [ "$output" = "java 8" ]
}

@test "use-python 3.12 and use-node 22 switch python3 and node" {
  "$BIN/use-python" 3.12
  "$BIN/use-node" 22
  PATH="$ATX_TOOLCHAIN_LINKS_DIR/python/bin:$ATX_TOOLCHAIN_LINKS_DIR/node/bin:$PATH" run python3
  [ "$output" = "python 3.12" ]
  PATH="$ATX_TOOLCHAIN_LINKS_DIR/python/bin:$ATX_TOOLCHAIN_LINKS_DIR/node/bin:$PATH" run node
  [ "$output" = "node 22" ]
}

@test "python 3.1 is not taken for 3.10 or 3.13" {
  run "$BIN/use-python" 3.1
  [ "$status" -eq 64 ]
  [[ $output == *"not installed"* ]]
  [ ! -e "$ATX_TOOLCHAIN_LINKS_DIR/python" ]
}

@test "an uninstalled version is refused with exit 64 and the link is unchanged" {
  "$BIN/use-node" 20
  run "$BIN/use-node" 19
  [ "$status" -eq 64 ]
  [[ $output == *"installed: 16 18 20 22 24"* ]]
  [ "$(readlink "$ATX_TOOLCHAIN_LINKS_DIR/node")" = "$ATX_TOOLCHAINS_DIR/node/20" ]
}

@test "versions with path characters are refused (no ../ escapes)" {
  run "$BIN/use" java ../../etc
  [ "$status" -eq 64 ]
  [[ $output == *"invalid version"* ]]
  [ ! -e "$ATX_TOOLCHAIN_LINKS_DIR/java" ]
}

@test "an unknown language is refused with exit 64" {
  run "$BIN/use" ruby 3
  [ "$status" -eq 64 ]
  [[ $output == *"unknown language"* ]]
}

@test "use --list shows the current and installed versions of every language" {
  "$BIN/use-java" 17
  run "$BIN/use" --list
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == "java: current 17; installed: 8 11 17 21" ]]
  [[ ${lines[1]} == "python: current none; installed: 3.8 3.9 3.10 3.11 3.12 3.13" ]]
  [[ ${lines[2]} == "node: current none; installed: 16 18 20 22 24" ]]
}

@test "switching works without write access outside the user's directory" {
  chmod -R a-w "$ATX_TOOLCHAINS_DIR"
  run "$BIN/use-java" 11
  chmod -R u+w "$ATX_TOOLCHAINS_DIR"
  [ "$status" -eq 0 ]
  [ "$(readlink "$ATX_TOOLCHAIN_LINKS_DIR/java")" = "$ATX_TOOLCHAINS_DIR/java/11" ]
}
