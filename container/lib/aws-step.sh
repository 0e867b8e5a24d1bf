#!/usr/bin/env bash
# shellcheck shell=bash
# The common start of every job step that talks to AWS (source fetch, git credentials, MCP
# configuration, result upload): exit codes, JSON logging and its error trap, retries with
# backoff, and the AWS CLI wrapper. Sourced by those scripts once ATX_LIB_DIR is set.

# shellcheck source=exit-codes.sh
source "$ATX_LIB_DIR/exit-codes.sh"
# shellcheck source=log.sh
source "$ATX_LIB_DIR/log.sh"
# shellcheck source=retry.sh
source "$ATX_LIB_DIR/retry.sh"
# shellcheck source=aws.sh
source "$ATX_LIB_DIR/aws.sh"
log_install_error_trap
