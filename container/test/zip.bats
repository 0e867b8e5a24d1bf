#!/usr/bin/env bats
# The zip extraction guard (bin/safe-unzip.sh + lib/zip_guard.py): hostile archives are refused
# before anything is written outside the target, and nothing at all is left behind.

load helpers

setup() {
  export HOME="$BATS_TEST_TMPDIR/home" ATX_WORK_DIR="$BATS_TEST_TMPDIR/work"
  mkdir -p "$HOME"
  ZIP="$BATS_TEST_TMPDIR/in.zip"
  # The target sits two levels down so that "../" and "../../" escapes land in watched places.
  TARGET="$BATS_TEST_TMPDIR/a/b/target"
  mkdir -p "$BATS_TEST_TMPDIR/a/b"
}

make_zip() {
  python3 "$FIXTURES/make_zip.py" "$ZIP" "$@"
}

# Nothing was created in the target nor next to it.
assert_nothing_extracted() {
  run find "$TARGET" -mindepth 1
  [ -z "$output" ]
  [ "$(ls -A "$BATS_TEST_TMPDIR/a/b")" = target ]
  [ "$(ls -A "$BATS_TEST_TMPDIR/a")" = b ]
}

@test "a normal project archive is extracted with its files and contents" {
  make_zip project
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$TARGET/README.md")" = "# Demo project" ]
  [ -f "$TARGET/src/main/java/App.java" ]
  [[ $output == *'"summary":"files=4 bytes='* ]]
}

@test "extracted files never keep setuid bits but keep the executable bit" {
  make_zip project
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$TARGET/bin/build.sh")" = 755 ]
  [ "$(stat -c %a "$TARGET/README.md")" = 644 ]
}

@test "zip slip: an entry with ../ is refused with exit 65 and nothing is written" {
  make_zip slip
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 65 ]
  [[ $output == *"escapes the target"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/a/b/evil-slip.txt" ]
  assert_nothing_extracted
}

@test "an absolute entry path is refused with exit 65" {
  make_zip abs "$BATS_TEST_NUMBER$$"
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"absolute entry path"* ]]
  [ ! -e "/tmp/evil-abs-$BATS_TEST_NUMBER$$.txt" ]
  assert_nothing_extracted
}

@test "an entry name with a backslash traversal is refused with exit 65" {
  make_zip backslash
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *backslash* ]]
  assert_nothing_extracted
}

@test "a symlink pointing out of the target (../../outside) is refused with exit 65" {
  make_zip symlink-out
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 65 ]
  [[ $output == *"points outside the target"* ]]
  assert_nothing_extracted
}

@test "a symlink with an absolute target (/etc/passwd) is refused with exit 65" {
  make_zip symlink-abs
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"absolute or empty path"* ]]
  assert_nothing_extracted
}

@test "a chain of symlinks that resolves outside the target is refused and the target emptied" {
  make_zip symlink-chain-out
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 65 ]
  [[ $output == *"resolves outside the target"* ]]
  assert_nothing_extracted
}

@test "an entry written through a symlink entry is refused with exit 65" {
  make_zip through-link
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"passes through a symlink"* ]]
  assert_nothing_extracted
}

@test "a symlink that stays inside the target is extracted as a symlink" {
  make_zip symlink-in
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 0 ]
  [ -L "$TARGET/link-to-a" ]
  [ "$(readlink "$TARGET/link-to-a")" = src/a.txt ]
  [ "$(cat "$TARGET/link-to-a")" = a ]
}

@test "a device file entry is refused with exit 65" {
  make_zip device
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"unsupported type"* ]]
  assert_nothing_extracted
}

@test "zip bomb by size: an archive expanding past ATX_ZIP_MAX_BYTES is refused before extraction" {
  make_zip bomb-size 20000000
  [ "$(stat -c %s "$ZIP")" -lt 100000 ]
  ATX_ZIP_MAX_BYTES=1000000 run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 65 ]
  [[ $output == *"expands to more than 1000000 bytes"* ]]
  assert_nothing_extracted
}

@test "the same large archive is accepted under a higher size limit (the size limit is what refused it)" {
  make_zip bomb-size 2000000
  ATX_ZIP_MAX_BYTES=2000000 run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 0 ]
  [ "$(stat -c %s "$TARGET/zeros.bin")" -eq 2000000 ]
}

@test "zip bomb by count: an archive with more entries than ATX_ZIP_MAX_FILES is refused before extraction" {
  make_zip bomb-count 300
  ATX_ZIP_MAX_FILES=200 run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"300 entries, limit is 200"* ]]
  assert_nothing_extracted
}

@test "a file that is not a zip archive is refused with exit 65" {
  make_zip not-zip
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"invalid zip archive"* ]]
}

@test "a non-empty target directory is a usage error (exit 64)" {
  make_zip project
  mkdir -p "$TARGET"
  touch "$TARGET/existing"
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 64 ]
}

@test "the guard's messages are JSON log lines" {
  make_zip slip
  "$BIN/safe-unzip.sh" "$ZIP" "$TARGET" 2>"$BATS_TEST_TMPDIR/err" || true
  assert_json_log_lines "$BATS_TEST_TMPDIR/err"
  jq -e -s 'any(.[]; .level == "error" and .message == "archive refused")' "$BATS_TEST_TMPDIR/err"
}

# ---- archives from the common writers ----

# A small project tree in $BATS_TEST_TMPDIR/proj for the writer tests.
make_project_tree() {
  local dir="$BATS_TEST_TMPDIR/proj"
  mkdir -p "$dir/src/main" "$dir/bin"
  printf '# Demo\n' >"$dir/README.md"
  printf 'class App {}\n' >"$dir/src/main/App.java"
  printf '#!/bin/sh\necho build\n' >"$dir/bin/build.sh"
  chmod 755 "$dir/bin/build.sh"
  ln -s src/main "$dir/main-link"
}

@test "writer: Python's ZipFile.writestr (mode 0600, no file-type bits) extracts as files and directories" {
  make_zip writestr
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$TARGET/proj/README.md")" = "# Demo" ]
  [ -d "$TARGET/proj/src" ] && [ ! -L "$TARGET/proj/src" ]
  [ "$(stat -c %a "$TARGET/proj/src/app.py")" = 644 ]
}

@test "writer: a Windows-style archive (DOS attributes only) extracts as files and directories" {
  make_zip dos
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ -d "$TARGET/proj" ]
  [ "$(cat "$TARGET/proj/RO.TXT")" = ro ]
  [ "$(stat -c %a "$TARGET/proj/README.TXT")" = 644 ]
}

@test "writer: git archive --format=zip extracts, executable bit and symlink included" {
  make_project_tree
  git -C "$BATS_TEST_TMPDIR/proj" init -q
  git -C "$BATS_TEST_TMPDIR/proj" add -A
  git -C "$BATS_TEST_TMPDIR/proj" -c user.name=t -c user.email=t@localhost commit -qm snapshot
  git -C "$BATS_TEST_TMPDIR/proj" archive --format=zip --prefix=proj/ -o "$ZIP" HEAD
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$TARGET/proj/bin/build.sh")" = 755 ]
  [ "$(readlink "$TARGET/proj/main-link")" = src/main ]
  [ -f "$TARGET/proj/src/main/App.java" ]
}

@test "writer: jar extracts (its META-INF/ directory entries included)" {
  make_project_tree
  rm "$BATS_TEST_TMPDIR/proj/main-link"
  (cd "$BATS_TEST_TMPDIR/proj" && jar cf "$ZIP" .)
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ -f "$TARGET/META-INF/MANIFEST.MF" ]
  [ "$(cat "$TARGET/README.md")" = "# Demo" ]
}

@test "writer: Info-ZIP zip -r -y extracts, symlink kept as a link" {
  make_project_tree
  (cd "$BATS_TEST_TMPDIR" && zip -q -r -y "$ZIP" proj)
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$TARGET/proj/bin/build.sh")" = 755 ]
  [ -L "$TARGET/proj/main-link" ]
}

# ---- links resolved once the tree is complete ----

@test "links: an escape whose link comes before the link that makes it escape is refused" {
  make_zip link-order-late
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 65 ]
  [[ $output == *"docs/root"*"resolves outside the target"* ]]
  assert_nothing_extracted
}

@test "links: the same two links in the other order are refused too" {
  make_zip link-order-early
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"resolves outside the target"* ]]
  assert_nothing_extracted
}

@test "links: a link through a directory link made later in the archive is refused" {
  make_zip link-to-later-dir
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 65 ]
  [[ $output == *"a/out"*"resolves outside the target"* ]]
  assert_nothing_extracted
}

@test "links: an escape through a chain of links is refused" {
  make_zip link-via-links
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  [ "$status" -eq 65 ]
  [[ $output == *"resolves outside the target"* ]]
  assert_nothing_extracted
}

@test "links: links through links that stay inside are extracted" {
  make_zip links-inside
  run "$BIN/safe-unzip.sh" "$ZIP" "$TARGET"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$TARGET/docs/a")" = a ]
}
