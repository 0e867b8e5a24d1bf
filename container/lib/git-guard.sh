#!/usr/bin/env bash
# shellcheck shell=bash
# Keeps a source from steering git inside the job. Source it (after log.sh); it defines:
#   git_guard_env               appends to GIT_CONFIG_COUNT/KEY_n/VALUE_n (command-line scope, above
#                               every config file) settings that no repository can override:
#                               core.fsmonitor=false, core.hooksPath=/dev/null,
#                               safe.bareRepository=explicit (a directory that looks like a bare
#                               repository, with a core.worktree of its own, is never used unless
#                               named with --git-dir). Idempotent.
#   git_guard_source DIR KIND   KIND "git": DIR is a fresh clone; its .git/config is rewritten to
#                               the keys git needs (format, remotes, branches), its hooks removed.
#                               Any other KIND: every ".git" (directory, file or link) at any depth
#                               is deleted, so the caller starts a fresh repository.
#                               In both cases ".git" entries below the top level are deleted.
# Environment settings alone are not enough: a filter driver whose name only the repository's
# config knows (filter.<name>.clean with "* filter=<name>" in .gitattributes) would still run.
# With the source's own configuration gone, nothing the source wrote is read as configuration.

[[ -n "${_ATX_GIT_GUARD_SH:-}" ]] && return 0
_ATX_GIT_GUARD_SH=1

git_guard_env() {
  [[ ${ATX_GIT_GUARDED:-} == 1 ]] && return 0
  local -a pairs=(core.fsmonitor false core.hooksPath /dev/null safe.bareRepository explicit)
  local n=${GIT_CONFIG_COUNT:-0} i
  for ((i = 0; i < ${#pairs[@]}; i += 2)); do
    export "GIT_CONFIG_KEY_$n=${pairs[i]}" "GIT_CONFIG_VALUE_$n=${pairs[i + 1]}"
    n=$((n + 1))
  done
  export GIT_CONFIG_COUNT=$n ATX_GIT_GUARDED=1
}

# The keys a clone's configuration keeps: repository format, work tree shape, remotes, branches.
_git_guard_keep_key() {
  [[ $1 =~ ^core\.(repositoryformatversion|bare|filemode|logallrefupdates|symlinks|ignorecase)$ ||
    $1 =~ ^extensions\.objectformat$ ||
    $1 =~ ^remote\..+\.(url|fetch)$ ||
    $1 =~ ^branch\..+\.(remote|merge)$ ]]
}

# Rewrites DIR/.git/config keeping only the keys above; removes hooks and per-worktree config.
_git_guard_clone() {
  local gitdir="$1/.git" entry key value kept=0 dropped=0
  [[ -d $gitdir && ! -L $gitdir ]] || log_fail "$EX_DATAERR" "source refused: the clone has no .git directory"
  local fresh="$gitdir/config.atx-new"
  : >"$fresh"
  while IFS= read -r -d '' entry; do
    key=${entry%%$'\n'*}
    value=${entry#*$'\n'}
    [[ $entry == *$'\n'* ]] || value=true
    if _git_guard_keep_key "${key,,}"; then
      git config --file "$fresh" --add "$key" "$value"
      kept=$((kept + 1))
    else
      dropped=$((dropped + 1))
    fi
  done < <(git config --file "$gitdir/config" --no-includes --null --list)
  mv -f -- "$fresh" "$gitdir/config"
  rm -rf -- "$gitdir/hooks" "$gitdir/config.worktree" "$gitdir/info/attributes"
  mkdir -m 755 -- "$gitdir/hooks"
  log_info "repository configuration reduced to format, remotes and branches" kept "$kept" dropped "$dropped"
}

git_guard_source() {
  local dir=$1 kind=$2 count
  local -a top=()
  [[ $kind == git ]] && top=(-path "$dir/.git" -prune -o)
  count=$(find "$dir" -mindepth 1 "${top[@]}" -name .git -prune -printf x -exec rm -rf -- {} + | wc -c)
  if ((count > 0)); then
    log_info "repository metadata from the source dropped" entries "$count"
  fi
  if [[ $kind == git ]]; then
    _git_guard_clone "$dir"
  fi
  return 0
}
