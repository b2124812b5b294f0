# Sourced by every tests/cli/*.sh script (CTest runs them as: SCRIPT CLI FIXTURES_DIR ASSETS_DIR
# MAKE_TF_KERAS_WEIGHTS; the last is for tf_keras_weights.sh).
# Sets cli, fixtures, assets, a scratch folder $work removed at exit, and the failure counter that
# finish turns into the exit status; check and fails_with are the two kinds of case most scripts need.
# (This file ends in .bash so that CMake's glob of tests/cli/*.sh does not take it for a test.)
set -u
cli=$1
fixtures=${2:-}
assets=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() {  # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1
    shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}

# fails_with TEXT ARGS...: convscope-cli ARGS exits with status 2 and prints exactly one line on stderr
# holding TEXT
fails_with() {
    local text=$1
    shift
    "$cli" "$@" >"$work/stdout" 2>"$work/stderr"
    local status=$?
    if [ "$status" -eq 2 ] && [ "$(wc -l <"$work/stderr")" -eq 1 ] && grep -qF -- "$text" "$work/stderr"; then
        echo "ok   $(cat "$work/stderr")"
    else
        echo "FAIL [$*]: status $status, stderr:"; cat "$work/stderr"; failures=$((failures + 1))
    fi
}

finish() {  # the script's exit status: 0 when no case failed
    exit $((failures > 0))
}
