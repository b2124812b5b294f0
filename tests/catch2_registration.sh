#!/bin/bash
# Checks that CTest runs every Catch2 test case of convscope_tests exactly once, under its own name.
# Usage (from CTest): catch2_registration.sh CATCH2_EXECUTABLE CTEST BUILD_DIR
#
# catch_discover_tests turns each test case name into a CTest test name and a Catch2 test spec. Some names
# survive neither: CTest splits a name at ';' into several entries that match nothing, and Catch2 reads a
# spec with a leading '~' or 'exclude:' as "everything else", '*' at either end as a wildcard, and '"' or
# '\' as quoting. Such names are refused here with the rule they break, and the two lists must be equal.
set -u
exe=$1
ctest=$2
build=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Catch2 v2 exits with the number of tests it listed, so the status is not checked.
"$exe" --list-test-names-only | sed '/^$/d' | LC_ALL=C sort >"$work/catch2"
"$ctest" --test-dir "$build" -N -L '^catch2$' | sed -n 's/^ *Test *#[0-9]*: //p' | LC_ALL=C sort >"$work/ctest"

status=0
if [ ! -s "$work/catch2" ]; then
    echo "FAIL $exe lists no test cases"
    status=1
fi
bad_names=$(grep -nE ';|"|\\|^~|^exclude:|^\*|\*$' "$work/catch2")
if [ -n "$bad_names" ]; then
    echo "FAIL test case names CTest or a Catch2 test spec cannot carry (no ';', '\"' or '\\';" \
         "no leading '~', 'exclude:' or '*'; no trailing '*'):"
    echo "$bad_names" | sed 's/^[0-9]*:/    /'
    status=1
fi
listed=$(wc -l <"$work/catch2")
registered=$(wc -l <"$work/ctest")
if ! cmp -s "$work/catch2" "$work/ctest"; then
    echo "FAIL CTest runs $registered entries for the $listed test cases Catch2 lists:"
    LC_ALL=C comm -23 "$work/catch2" "$work/ctest" | sed 's/^/    only in Catch2: /'
    LC_ALL=C comm -13 "$work/catch2" "$work/ctest" | sed 's/^/    only in CTest:  /'
    status=1
fi
[ "$status" -eq 0 ] && echo "ok   CTest runs each of the $listed Catch2 test cases once"
exit "$status"
