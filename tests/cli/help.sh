#!/bin/bash
# `convscope-cli COMMAND --help`, `COMMAND -h` and `help COMMAND` print that command's usage and exit 0;
# an unknown command still exits 2. Every command `convscope-cli help` lists is checked, so a new command
# is covered as soon as it is in the usage text.
# Usage (from CTest): help.sh CLI FIXTURES_DIR ASSETS_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"
cd "$work" || exit 1

"$cli" help >all.txt
commands=$(sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' all.txt | sort -u)
check "help lists the commands (got: $(echo $commands))" test "$(echo "$commands" | wc -w)" -ge 5

for c in $commands; do
    "$cli" "$c" --help >"$c.out" 2>"$c.err"
    check "$c --help exits 0" test $? -eq 0
    check "$c --help starts with its usage line" test "$(head -n 1 "$c.out")" = "usage: convscope-cli $c [OPTIONS]"
    check "$c --help shows its entry from the full usage" grep -q "^  $c  " "$c.out"
    check "$c --help shows no other command" test -z "$(grep -E '^  [a-z]' "$c.out" | grep -v "^  $c  ")"
    check "$c --help writes nothing on stderr" test ! -s "$c.err"
    "$cli" "$c" -h >"$c.h.out" 2>&1
    check "$c -h prints the same" cmp -s "$c.out" "$c.h.out"
    "$cli" help "$c" >"$c.help.out" 2>&1
    check "help $c prints the same" cmp -s "$c.out" "$c.help.out"
done

# --help after other options still wins, and nothing runs: no export folder appears.
"$cli" run --sample chelsea --input-size 32 --help >run_late.out 2>&1
check "run ... --help exits 0" test $? -eq 0
check "run ... --help prints run's usage" grep -q "^  run  " run_late.out
check "run ... --help runs nothing" test ! -e exports
# As an option's value, -h is that value, not a request for help.
"$cli" shape --input 5,5,3 --filters 8 --kernel-size -h >value.out 2>value.err
check "shape --kernel-size -h is a bad kernel size (exit 2)" test $? -eq 2
check "shape --kernel-size -h names the value" grep -q -- "--kernel-size -h" value.err

"$cli" help frobnicate >/dev/null 2>unknown.err
check "help frobnicate exits 2" test $? -eq 2
check "help frobnicate says one line" test "$(wc -l <unknown.err)" -eq 1
"$cli" frobnicate --help >/dev/null 2>/dev/null
check "frobnicate --help exits 2" test $? -eq 2
"$cli" shape --input 5,5,3 --filter 8 2>typo.err
check "a usage error points to the command's own help" grep -q "(see convscope-cli shape --help)" typo.err

finish
