#!/bin/bash
# convscope-cli patches: the printed positions follow pool1's receptive field (11 pixels, 4 apart, from
# 4 * position - 3), the patches are written as PNGs, strongest first, and bad requests fail cleanly.
# Usage (from CTest): patches.sh CLI FIXTURES_DIR ASSETS_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"

"$cli" patches --node pool1 --channel 7 --top 3 --input-size 64 --out "$work/p" >"$work/out.txt"
check "three patches are listed" test "$(grep -cE '^ +[1-3]  ' "$work/out.txt")" -eq 3
check "the receptive field is printed" grep -q "pool1 channel 7: receptive field 11x11 input pixels, 4 pixels between" "$work/out.txt"
# "   1  91.4126  astronaut.png  (54, 14)  rows 213..223, cols 53..63": region = 4 * position - 3 .. + 7
check "every region is 4 * position - 3 .. 4 * position + 7" awk '
    /^ +[0-9]+  / { gsub(/[(),]/, " "); n++
        r = $4; c = $5; split($7, rows, "\\.\\."); split($9, cols, "\\.\\.")
        if (rows[1] != 4*r-3 || rows[2] != 4*r+7 || cols[1] != 4*c-3 || cols[2] != 4*c+7) bad++ }
    END { exit (n != 3 || bad > 0) }' "$work/out.txt"
check "the activations are in decreasing order" awk '/^ +[0-9]+  / { if (NR > 1 && seen && $2 > last) bad++; last = $2; seen = 1 } END { exit bad > 0 }' "$work/out.txt"
check "the patches are written" test "$(ls "$work/p" | tr '\n' ' ')" = "pool1_c7_1.png pool1_c7_2.png pool1_c7_3.png "
check "a patch is 11x11 pixels" test "$(od -An -tu1 -j16 -N8 "$work/p/pool1_c7_1.png" | tr -s ' ')" = " 0 0 0 11 0 0 0 11"

"$cli" patches --node pool1 --channel 64 --input-size 64 --out "$work/bad" >/dev/null 2>"$work/err.txt"
check "a channel out of range exits 2" test $? -eq 2
check "with one line naming the range" grep -qx "convscope-cli patches: channel 64 of pool1: expected 0 to 63" "$work/err.txt"
check "and writes nothing" test -z "$(ls -A "$work/bad" 2>/dev/null)"

finish
