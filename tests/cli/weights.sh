#!/bin/bash
# convscope-cli weights: list, verify, and fetch from file:// URLs and a refused port (the loopback HTTP
# cases are in the C++ tests, test_weights_download.cpp).
# md5 sums are recomputed with coreutils' md5sum, independently of the program's own (OpenSSL).
# Usage (from CTest): weights.sh CLI FIXTURES_DIR ASSETS_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"
export HOME=$work/home no_proxy=127.0.0.1,localhost
unset XDG_CACHE_HOME KERAS_HOME

mkdir -p "$work/src" "$HOME/.keras/models"
head -c 200000 /dev/urandom >"$work/src/lab.h5"
md5=$(md5sum "$work/src/lab.h5" | cut -c1-32)
notop=resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5
top=resnet50_weights_tf_dim_ordering_tf_kernels.h5

# fetch: a good file, then the same again, then bad ones; the folder holds the verified file or nothing.
"$cli" weights fetch --from "file://$work/src/lab.h5" --md5 "$md5" --dir "$work/cache" >"$work/fetch.txt" 2>&1
check "fetch of a file URL with its md5 succeeds" cmp -s "$work/src/lab.h5" "$work/cache/lab.h5"
check "fetch leaves only the verified file" test "$(ls -A "$work/cache")" = "lab.h5"
check "fetch says it verified the file" grep -q "md5 $md5 verified" "$work/fetch.txt"
"$cli" weights fetch --from "file://$work/src/lab.h5" --md5 "$md5" --dir "$work/cache" >"$work/again.txt"
check "a second fetch finds it already there" grep -q "already there and verified" "$work/again.txt"

fails_with "expected 00000000000000000000000000000000" weights fetch --from "file://$work/src/lab.h5" --md5 00000000000000000000000000000000 --dir "$work/wrong"
check "a wrong checksum leaves nothing" test -z "$(ls -A "$work/wrong")"
cp "$work/src/lab.h5" "$work/src/$notop"
fails_with "expected a268eb855778b3df3c7506639542a6af" weights fetch --from "file://$work/src/$notop" --dir "$work/mirror"
check "a mirror under the official name is held to the official md5" test -z "$(ls -A "$work/mirror")"
fails_with "give --md5 HEX" weights fetch --from "file://$work/src/lab.h5" --dir "$work/nomd5"
fails_with "put it in $work/refused/lab.h5" weights fetch --from "http://127.0.0.1:1/lab.h5" --md5 "$md5" --dir "$work/refused"
check "a refused connection leaves nothing" test -z "$(ls -A "$work/refused")"
fails_with "cannot read file://$work/src/missing.h5" weights fetch --from "file://$work/src/missing.h5" --md5 "$md5" --dir "$work/missing"

# verify and list
"$cli" weights verify "$work/cache/lab.h5" --md5 "${md5^^}" >"$work/verify.txt"
check "verify accepts the file's md5 in capitals" grep -q "matches --md5" "$work/verify.txt"
fails_with "matches none of the four known ResNet50 weights files" weights verify "$work/cache/lab.h5"
fails_with "No such file" weights verify "$work/nope.h5"
cp "$work/src/lab.h5" "$HOME/.keras/models/$top"
printf 'abc' >"$HOME/.keras/models/$notop"
mkdir -p "$HOME/.cache/convscope" && printf 'x' >"$HOME/.cache/convscope/$notop.part"
"$cli" weights list >"$work/list.txt"
check "list names the folders it searched" grep -q "searched: $HOME/.cache/convscope (convscope cache), $HOME/.keras/models (Keras cache)" "$work/list.txt"
check "list shows an unknown file under a known name as unverified" grep -q "^$HOME/.keras/models/$top  200 kB  unverified: md5 $md5" "$work/list.txt"
check "list shows the md5 of abc" grep -q "$notop  3 bytes  unverified: md5 900150983cd24fb0d6963f7d28e17f72" "$work/list.txt"
check "list shows an interrupted download" grep -q "$notop.part  1 bytes  partial" "$work/list.txt"
check "list says no usable weights were found" grep -q "no usable ResNet50 weights found" "$work/list.txt"

finish
