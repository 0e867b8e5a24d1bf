#!/usr/bin/env bats
# bin/upload-results.sh against moto's S3: every pattern of upload-exclusions.txt keeps matching
# files and directories out of the upload, symlinks are never followed, the rest is uploaded.

load helpers

setup_file() {
  start_moto
}

teardown_file() {
  stop_moto
}

setup() {
  reset_moto
  job_env
  make_buckets
  WS="$BATS_TEST_TMPDIR/ws"
  mkdir -p "$WS/src/deep"
  printf 'keep\n' >"$WS/README.md"
  printf 'class App {}\n' >"$WS/src/deep/App.java"
  DEST="s3://$S3_BUCKET/transformations/t1/conv-1/"
}

# The patterns of the shared exclusion list, comments and blanks removed.
patterns() {
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$CONTAINER_DIR/upload-exclusions.txt"
}

# A file or directory name matched by the pattern: each glob character replaced by a letter.
sample_name() {
  local p=${1%/}
  p=${p//\*/x}
  p=${p//\?/q}
  printf '%s' "$p"
}

@test "the exclusion list is valid for every reader: globs on names, / only as a directory suffix" {
  run patterns
  [ "${#lines[@]}" -ge 20 ]
  local p
  for p in "${lines[@]}"; do
    [[ ${p%/} != */* ]]
    [[ $p != *[[:space:]]* ]]
  done
}

@test "the exclusion list covers the sensitive files the platform promises to keep out" {
  run patterns
  local want
  for want in .git/ .env* '*.pem' '*.key' id_rsa* .npmrc .pypirc .aws/ .ssh/ '*.p12' '*.pfx' .git-credentials credentials; do
    printf '%s\n' "${lines[@]}" | grep -qxF -- "$want" || {
      echo "missing: $want"
      return 1
    }
  done
}

@test "every exclusion pattern keeps matching files out at the top level and in subdirectories" {
  local p name count=0
  while IFS= read -r p; do
    name=$(sample_name "$p")
    if [[ $p == */ ]]; then
      mkdir -p "$WS/$name/inner" "$WS/src/$name"
      printf 'secret\n' >"$WS/$name/inner/data.txt"
      printf 'secret\n' >"$WS/src/$name/data.txt"
    else
      printf 'secret\n' >"$WS/$name"
      printf 'secret\n' >"$WS/src/deep/$name"
    fi
    count=$((count + 1))
  done < <(patterns)
  [ "$count" -ge 20 ]
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  echo "$output"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  echo "$output"
  [ "$output" = "transformations/t1/conv-1/code/README.md
transformations/t1/conv-1/code/src/deep/App.java" ]
}

@test "each pattern on its own is what excludes its sample file (control: without the pattern it is uploaded)" {
  # Uploading with an empty exclusion list proves the samples would otherwise be uploaded.
  printf 'secret\n' >"$WS/.env.local"
  mkdir -p "$WS/.ssh" && printf 'key\n' >"$WS/.ssh/id_ed25519"
  printf '# nothing excluded\n' >"$BATS_TEST_TMPDIR/none.txt"
  ATX_EXCLUSIONS_FILE="$BATS_TEST_TMPDIR/none.txt" run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  [[ $output == *code/.env.local* ]]
  [[ $output == *code/.ssh/id_ed25519* ]]
}

@test "names that merely resemble a pattern are uploaded (.gitignore, my.keys, credentials.md)" {
  printf 'x\n' >"$WS/.gitignore"
  printf 'x\n' >"$WS/my.keys"
  printf 'x\n' >"$WS/src/credentials.md"
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  [[ $output == *code/.gitignore* ]]
  [[ $output == *code/my.keys* ]]
  [[ $output == *code/src/credentials.md* ]]
}

@test "symbolic links are not uploaded, so a link to a file outside the workspace leaks nothing" {
  printf 'host secret\n' >"$BATS_TEST_TMPDIR/outside.txt"
  ln -s "$BATS_TEST_TMPDIR/outside.txt" "$WS/innocent.txt"
  ln -s "$BATS_TEST_TMPDIR" "$WS/dirlink"
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *'"symlinks_skipped":"2"'* ]]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  [[ $output != *innocent.txt* ]]
  [[ $output != *dirlink* ]]
}

@test "file names with spaces, quotes, newlines and a leading dash are uploaded intact" {
  printf 'a\n' >"$WS/with space.txt"
  printf 'b\n' >"$WS/-rf"
  printf 'c\n' >"$WS/quo\"te's.txt"
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  [[ $output == *"code/with space.txt"* ]]
  [[ $output == *"code/-rf"* ]]
  [[ $output == *"code/quo\"te's.txt"* ]]
}

@test "an unreachable S3 endpoint makes the upload exit 75 after retries" {
  export AWS_ENDPOINT_URL="http://127.0.0.1:$(free_port)"
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  echo "$output"
  [ "$status" -eq 75 ]
  [[ $output == *"giving up after 2 attempts"* ]]
}

@test "a destination outside plain s3://bucket/prefix/ form, or a part that is not NAME=/dir, is a usage error (exit 64)" {
  run "$BIN/upload-results.sh" "s3://$S3_BUCKET/transformations/../other/" "code=$WS"
  [ "$status" -eq 64 ]
  run "$BIN/upload-results.sh" "s3://$S3_BUCKET/no-trailing-slash" "code=$WS"
  [ "$status" -eq 64 ]
  run "$BIN/upload-results.sh" "s3://$S3_BUCKET/t/" "../x=$WS"
  [ "$status" -eq 64 ]
  run "$BIN/upload-results.sh" "s3://$S3_BUCKET/t/" "code=relative/dir"
  [ "$status" -eq 64 ]
}

@test "a pattern with a slash inside makes the exclusion list invalid (exit 64, nothing uploaded)" {
  printf 'src/*.pem\n' >"$BATS_TEST_TMPDIR/bad.txt"
  ATX_EXCLUSIONS_FILE="$BATS_TEST_TMPDIR/bad.txt" run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  [ "$status" -eq 64 ]
  run s3_keys "$S3_BUCKET" transformations/
  [ -z "$output" ]
}

@test "bracket syntax with a locale-dependent meaning makes the list invalid (exit 64, nothing uploaded)" {
  local bad
  for bad in '[[.a.]]' '[![=a=]]' '[a-[.c.]]' '[]x[.a.]]' '[[:bogus:]]' '[[:alpha]' '[:'; do
    printf '*.pem\n%s\n' "$bad" >"$BATS_TEST_TMPDIR/bad.txt"
    ATX_EXCLUSIONS_FILE="$BATS_TEST_TMPDIR/bad.txt" run "$BIN/upload-results.sh" "$DEST" "code=$WS"
    [ "$status" -eq 64 ]
    [[ $output == *'invalid exclusion pattern'*'unsupported bracket syntax'* ]]
  done
  run s3_keys "$S3_BUCKET" transformations/
  [ -z "$output" ]
  # The rest of bracket syntax stays valid: classes, a dot in a bracket, a literal "[".
  printf '[[:digit:]][.]pem\n[:alpha:]\na[b\n' >"$BATS_TEST_TMPDIR/good.txt"
  printf 'x\n' >"$WS/1.pem"
  ATX_EXCLUSIONS_FILE="$BATS_TEST_TMPDIR/good.txt" run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/
  [[ $output == *README.md* && $output != *1.pem* ]]
}

@test "credential files in any case spelling are not uploaded, in subdirectories too" {
  local f
  local -a names=(.ENV ID_RSA Server.PEM CREDENTIALS credentials.json credentials.toml terraform.tfvars
    .pgpass .s3cfg .boto .htpasswd service-account.json office.ovpn .terraformrc secrets.yaml
    Secrets.YML .My.Cnf Client_Secret_123.json prod.auto.tfvars)
  for f in "${names[@]}"; do
    printf 'x\n' >"$WS/$f"
    printf 'x\n' >"$WS/src/deep/$f"
  done
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  echo "$output"
  [ "$output" = "$(printf '%s\n' transformations/t1/conv-1/code/README.md transformations/t1/conv-1/code/src/deep/App.java)" ]
}

# ---- secrets found by the detector ----

AWS_KEY=AKIAIOSFODNN7EXAMPLE
GH_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789

# Writes files holding detectable secrets under $WS (names that no exclusion pattern matches).
add_secret_files() {
  printf '[default]\naws_access_key_id = %s\n' "$AWS_KEY" >"$WS/settings.ini"
  printf 'token: %s\n' "$GH_TOKEN" >"$WS/src/deep/notes.txt"
  printf -- '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n' >"$WS/src/deploy-material.txt"
}

@test "secrets: a file with a detected secret is held back; its name and kind are logged, never the value" {
  add_secret_files
  "$BIN/upload-results.sh" "$DEST" "code=$WS" 2>"$BATS_TEST_TMPDIR/err"
  cat "$BATS_TEST_TMPDIR/err"
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  [ "$output" = "$(printf '%s\n' transformations/t1/conv-1/code/README.md transformations/t1/conv-1/code/src/deep/App.java)" ]
  jq -e -s 'any(.[]; .message == "secret detected: file held back" and .path == "code/settings.ini" and .kinds == "AWS Access Key")' "$BATS_TEST_TMPDIR/err"
  jq -e -s 'any(.[]; .path == "code/src/deep/notes.txt" and .kinds == "GitHub Token")' "$BATS_TEST_TMPDIR/err"
  jq -e -s 'any(.[]; .path == "code/src/deploy-material.txt" and .kinds == "Private Key")' "$BATS_TEST_TMPDIR/err"
  jq -e -s 'any(.[]; .message == "uploaded" and .held_back == "3")' "$BATS_TEST_TMPDIR/err"
  ! grep -qF -e "$AWS_KEY" -e "$GH_TOKEN" "$BATS_TEST_TMPDIR/err"
  [ -f "$WS/settings.ini" ]
}

@test "secrets: a part named in ATX_UPLOAD_REDACT_PARTS is uploaded with the values replaced by ***" {
  mkdir -p "$BATS_TEST_TMPDIR/logs"
  {
    printf '{"level":"info","message":"using %s now","source":"atx"}\n' "$AWS_KEY"
    printf '{"level":"info","message":"export GITHUB_TOKEN=%s done","source":"atx"}\n' "$GH_TOKEN"
    printf '{"level":"info","message":"step 2 done","source":"atx"}\n'
  } >"$BATS_TEST_TMPDIR/logs/job.log"
  ATX_UPLOAD_REDACT_PARTS=logs run "$BIN/upload-results.sh" "$DEST" "code=$WS" "logs=$BATS_TEST_TMPDIR/logs"
  [ "$status" -eq 0 ]
  s3_cat "$S3_BUCKET" transformations/t1/conv-1/logs/job.log >"$BATS_TEST_TMPDIR/uploaded.log"
  cat "$BATS_TEST_TMPDIR/uploaded.log"
  ! grep -qF -e "$AWS_KEY" -e "$GH_TOKEN" -e ghp_ "$BATS_TEST_TMPDIR/uploaded.log"
  jq -e -s 'length == 3 and .[0].message == "using *** now" and .[1].message == "export GITHUB_TOKEN=*** done" and .[2].message == "step 2 done"' "$BATS_TEST_TMPDIR/uploaded.log"
}

@test "secrets: without the detector nothing is uploaded (exit 70)" {
  add_secret_files
  ATX_SECRET_SCAN_PYTHON=/usr/bin/python3 run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  echo "$output"
  [ "$status" -eq 70 ]
  [[ $output == *"secret scan failed; nothing uploaded"* ]]
  run s3_keys "$S3_BUCKET" transformations/
  [ -z "$output" ]
}

@test "secrets: ordinary project files (lock files, hashes, ids) are uploaded" {
  cp "$REPO_ROOT/package-lock.json" "$WS/package-lock.json"
  printf 'sha256  %s  app.jar\n' "$(printf x | sha256sum | cut -d' ' -f1)" >"$WS/SHA256SUMS"
  printf 'id: 123e4567-e89b-12d3-a456-426614174000\nname: demo\n' >"$WS/app.yaml"
  run "$BIN/upload-results.sh" "$DEST" "code=$WS"
  echo "$output"
  [ "$status" -eq 0 ]
  run s3_keys "$S3_BUCKET" transformations/t1/conv-1/code/
  [[ $output == *code/package-lock.json* && $output == *code/app.yaml* && $output == *code/SHA256SUMS* ]]
}
