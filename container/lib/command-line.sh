#!/usr/bin/env bash
# shellcheck shell=bash
# parse_command_line LINE: turns an "atx ..." command line (the entrypoint's --command form) into an
# argument vector, character by character: no shell, no string evaluation, no globbing.
# The rules are those of the API's parser (api/lib/validation/command.ts), and one table of cases
# (test/fixtures/command-lines.json) is run against both:
#   - words are separated by spaces; '...' or "..." group characters, spaces included, into a word
#     (an empty pair makes an empty word); quotes nest nothing and escape nothing;
#   - every other character is a letter, a digit, a space or one of _ - . , : / = @ + %, inside
#     quotes too; anything else is refused, not escaped;
#   - at most 4,096 characters, 64 arguments, 1,024 characters per argument; the first word is atx,
#     followed by at least one more.
# On success sets the array COMMAND_ARGV and returns 0; otherwise sets COMMAND_LINE_ERROR (the
# API's message) and returns 1.

[[ -n "${_ATX_COMMAND_LINE_SH:-}" ]] && return 0
_ATX_COMMAND_LINE_SH=1

readonly COMMAND_LINE_MAX_CHARS=4096
readonly COMMAND_LINE_MAX_ARGS=64
readonly COMMAND_LINE_MAX_ARG_CHARS=1024

# The character, as the API's messages show it: 'c' when printable ASCII, U+XXXX otherwise.
_command_line_shown() {
  local char=$1 code
  printf -v code '%d' "'$char"
  if ((code >= 0x21 && code <= 0x7e)); then
    printf "'%s'" "$char"
  else
    printf 'U+%04x' "$code"
  fi
}

parse_command_line() {
  local line=$1
  COMMAND_ARGV=()
  COMMAND_LINE_ERROR=""
  # Bytes, not the locale's characters: anything outside ASCII is refused below in any locale.
  local LC_ALL=C
  if ((${#line} > COMMAND_LINE_MAX_CHARS)); then
    COMMAND_LINE_ERROR="command must be at most $COMMAND_LINE_MAX_CHARS characters"
    return 1
  fi
  local word="" in_word=0 quote="" char i
  for ((i = 0; i < ${#line}; i++)); do
    char=${line:i:1}
    if [[ -n $quote ]]; then
      if [[ $char == "$quote" ]]; then
        quote=""
        continue
      fi
    elif [[ $char == "'" || $char == '"' ]]; then
      quote=$char
      in_word=1
      continue
    elif [[ $char == " " ]]; then
      if ((in_word)); then
        COMMAND_ARGV+=("$word")
      fi
      word=""
      in_word=0
      continue
    fi
    case $char in
      [A-Za-z0-9_.,:/=@+%\ -]) ;;
      *)
        COMMAND_LINE_ERROR="command contains a character that is not allowed: $(_command_line_shown "$char")"
        return 1
        ;;
    esac
    word+=$char
    in_word=1
  done
  if [[ -n $quote ]]; then
    COMMAND_LINE_ERROR="command has an unterminated quote"
    return 1
  fi
  if ((in_word)); then
    COMMAND_ARGV+=("$word")
  fi

  if [[ ${COMMAND_ARGV[0]:-} != atx ]]; then
    COMMAND_LINE_ERROR="command must start with atx"
  elif ((${#COMMAND_ARGV[@]} < 2)); then
    COMMAND_LINE_ERROR="command must name an atx subcommand"
  elif ((${#COMMAND_ARGV[@]} > COMMAND_LINE_MAX_ARGS)); then
    COMMAND_LINE_ERROR="command must have at most $COMMAND_LINE_MAX_ARGS arguments"
  else
    local arg
    for arg in "${COMMAND_ARGV[@]}"; do
      if ((${#arg} > COMMAND_LINE_MAX_ARG_CHARS)); then
        COMMAND_LINE_ERROR="each argument must be at most $COMMAND_LINE_MAX_ARG_CHARS characters"
        break
      fi
    done
  fi
  if [[ -n $COMMAND_LINE_ERROR ]]; then
    COMMAND_ARGV=()
    return 1
  fi
  return 0
}
