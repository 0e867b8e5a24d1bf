#!/usr/bin/env bats
# Git inside the job cannot be steered by the source: whole jobs through bin/entrypoint.sh against
# moto, with sources whose git configuration would run a canary command through core.fsmonitor,
# core.hooksPath hooks, diff.external, a named clean/smudge filter, in nested repositories and in
# a directory made to look like a bare repository. The stand-in atx runs git status, diff, add,
# commit and checkout in each (FAKE_ATX_GIT_DIRS). A control test shows the same workout runs
# every canary when the source is unpacked without the guard.

load helpers

setup_file() {
  start_moto
  local seed="$BATS_FILE_TMPDIR/seed"
  export GIT_ROOT="$BATS_FILE_TMPDIR/repos"
  mkdir -p "$GIT_ROOT/org"
  git init -q -b main "$seed"
  printf '# Demo\n' >"$seed/README.md"
  printf '* filter=evil diff=evil\n' >"$seed/.gitattributes"
  add_bare_lookalike "$seed/vendor/bare" "$BATS_FILE_TMPDIR/clone-canaries"
  git -C "$seed" add -A
  git -C "$seed" -c user.name=t -c user.email=t@localhost commit -q -m first
  git clone -q --bare "$seed" "$GIT_ROOT/org/app.git"
  HTTP_PORT=$(serve_git_repos http)
  export HTTP_PORT
}

teardown_file() {
  stop_git_servers
  stop_moto
}

setup() {
  setup_job_test
  CANARIES="$BATS_TEST_TMPDIR/canaries"
  mkdir -p "$CANARIES"
}

# A directory that git would take for a bare repository (HEAD, objects/, refs/), with an fsmonitor
# command in its configuration. safe.bareRepository=explicit keeps git from using it at all.
add_bare_lookalike() {
  local dir=$1 canaries=$2
  mkdir -p "$dir/objects" "$dir/refs/heads"
  printf 'ref: refs/heads/main\n' >"$dir/HEAD"
  touch "$dir/objects/.keep" "$dir/refs/heads/.keep"
  printf '[core]\n\tbare = false\n\tworktree = .\n\tfsmonitor = "touch %s/bare-fsmonitor; false"\n' "$canaries" >"$dir/config"
  printf '# vendored\n' >"$dir/README.md"
}

# A git work tree at DIR whose own configuration runs a canary (in $CANARIES) for every hook point.
make_hostile_repo() {
  local dir=$1 tag=$2 hook
  mkdir -p "$dir"
  printf '# Demo\n' >"$dir/README.md"
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  git -C "$dir" -c user.name=t -c user.email=t@localhost commit -q -m first
  printf '* filter=evil\n' >"$dir/.gitattributes"
  git -C "$dir" config core.fsmonitor "touch $CANARIES/$tag-fsmonitor; false"
  mkdir -p "$dir/.git/evil-hooks"
  for hook in pre-commit post-commit post-checkout; do
    printf '#!/bin/sh\ntouch %s/%s-hook-%s\n' "$CANARIES" "$tag" "$hook" >"$dir/.git/evil-hooks/$hook"
    chmod 755 "$dir/.git/evil-hooks/$hook"
  done
  cp -R "$dir/.git/evil-hooks/." "$dir/.git/hooks/"
  git -C "$dir" config core.hooksPath .git/evil-hooks
  git -C "$dir" config diff.external "touch $CANARIES/$tag-diff-external; true"
  git -C "$dir" config filter.evil.clean "touch $CANARIES/$tag-filter-clean; cat"
  git -C "$dir" config filter.evil.smudge "touch $CANARIES/$tag-filter-smudge; cat"
}

# $BATS_TEST_TMPDIR/tree: a hostile repository with a hostile nested repository and a bare
# look-alike below it.
make_hostile_tree() {
  TREE="$BATS_TEST_TMPDIR/tree"
  make_hostile_repo "$TREE" top
  make_hostile_repo "$TREE/sub/lib" nested
  add_bare_lookalike "$TREE/vendor/bare" "$CANARIES"
}

# Zips DIR's content at the archive's top level (".git" too) or, with "proj", below proj/.
zip_tree() {
  local layout=$1 zip="$BATS_TEST_TMPDIR/source.zip"
  if [[ $layout == top ]]; then
    (cd "$TREE" && zip -q -r -y "$zip" .)
  else
    mv "$TREE" "$BATS_TEST_TMPDIR/proj"
    (cd "$BATS_TEST_TMPDIR" && zip -q -r -y "$zip" proj)
  fi
  make_buckets "s3://$SOURCE_BUCKET/uploads/source.zip=$zip"
}

assert_no_canary() {
  run ls -A "$CANARIES"
  echo "canaries: $output"
  [ -z "$output" ]
}

@test "control: unpacked without the guard, the workout runs every canary" {
  make_hostile_tree
  export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@localhost GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@localhost
  (cd "$TREE" && FAKE_ATX_GIT_DIRS=". sub/lib vendor/bare" FAKE_ATX_ARGV_FILE="" atx custom def exec >/dev/null 2>&1)
  run ls "$CANARIES"
  echo "$output"
  for c in fsmonitor hook-pre-commit hook-post-commit diff-external filter-clean filter-smudge; do
    [ -e "$CANARIES/top-$c" ]
    [ -e "$CANARIES/nested-$c" ]
  done
}

@test "zip with .git at the archive's top level: no command of the source runs, history starts fresh" {
  make_hostile_tree
  zip_tree top
  export FAKE_ATX_GIT_DIRS=". sub/lib vendor/bare"
  job --source "s3://$SOURCE_BUCKET/uploads/source.zip" -- atx custom def exec
  [ "$status" -eq 0 ]
  assert_no_canary
  run git -C "$ATX_WORK_DIR/source" log --format=%s
  [ "${lines[-1]}" = "Source snapshot before transformation" ]
  [[ $output != *first* ]]
  [ ! -e "$ATX_WORK_DIR/source/sub/lib/.git" ]
  ! grep -q evil "$ATX_WORK_DIR/source/.git/config"
  grep -q '"repository metadata from the source dropped"' "$ERR"
}

@test "zip with the project below proj/: nested and top .git dropped, no command runs" {
  make_hostile_tree
  zip_tree proj
  export FAKE_ATX_GIT_DIRS=". proj proj/sub/lib proj/vendor/bare"
  job --source "s3://$SOURCE_BUCKET/uploads/source.zip" -- atx custom def exec
  [ "$status" -eq 0 ]
  assert_no_canary
  [ ! -e "$ATX_WORK_DIR/source/proj/.git" ]
}

@test "S3 prefix source with a .git/config: dropped like a zip's" {
  make_hostile_tree
  local args=() f
  while IFS= read -r -d '' f; do
    args+=("s3://$SOURCE_BUCKET/uploads/tree/${f#"$TREE"/}=$f")
  done < <(find "$TREE" -type f -print0)
  make_buckets "${args[@]}"
  export FAKE_ATX_GIT_DIRS=". sub/lib vendor/bare"
  job --source "s3://$SOURCE_BUCKET/uploads/tree/" -- atx custom def exec
  [ "$status" -eq 0 ]
  assert_no_canary
}

@test "clone: the repository's config keeps only format, remotes and branches; a bare look-alike is not used" {
  export ALLOWED_GIT_SCHEMES=http ALLOWED_GIT_HOSTS=127.0.0.1
  export GIT_CREDENTIAL_SECRETS="127.0.0.1=atx/none"
  export FAKE_ATX_GIT_DIRS=". vendor/bare"
  make_buckets
  job --source "http://127.0.0.1:$HTTP_PORT/org/app.git" -- atx custom def exec
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$BATS_FILE_TMPDIR/clone-canaries" 2>/dev/null)" ]
  run git config --file "$ATX_WORK_DIR/source/.git/config" --name-only --list
  echo "$output"
  ! grep -qvE '^(core\.(repositoryformatversion|filemode|bare|logallrefupdates)|remote\.origin\.(url|fetch)|branch\.main\.(remote|merge))$' <<<"$output"
  [ -z "$(ls -A "$ATX_WORK_DIR/source/.git/hooks")" ]
  grep -q "cannot use bare repository.*safe.bareRepository" "$ERR"
}
