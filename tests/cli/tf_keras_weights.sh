#!/bin/bash
# tf.keras' ResNet50 weights files (TensorFlow 2 layer names): `weights verify` and `weights list` name them,
# and `run --weights` loads one into the seed's network, saying what differs, with exactly the activations
# the same weights give under the seed's names.
# Usage (from CTest): tf_keras_weights.sh CLI FIXTURES_DIR ASSETS_DIR MAKE_TF_KERAS_WEIGHTS
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"
make_weights=$4
export HOME=$work/home
unset XDG_CACHE_HOME KERAS_HOME

"$make_weights" "$work/seed.h5" "$work/tf.h5" || { echo "FAIL cannot write the weights files"; exit 1; }
tf_md5=$(md5sum "$work/tf.h5" | cut -c1-32)

# verify: an unknown checksum is refused, but the layer naming is named; with --md5 it is accepted.
fails_with "it is a Keras weights file with tf.keras' ResNet50 layer names (conv1_conv" weights verify "$work/tf.h5"
fails_with "it is a Keras weights file with the seed's ResNet50 layer names" weights verify "$work/seed.h5"
"$cli" weights verify "$work/tf.h5" --md5 "$tf_md5" >"$work/verify.txt"
check "verify --md5 accepts the tf.keras file and names its layer naming" \
    grep -qF "md5 $tf_md5 matches --md5; it is a Keras weights file with tf.keras' ResNet50 layer names" "$work/verify.txt"

# list: a tf.keras file under the official name, not the published one, is unverified and named as tf.keras'.
notop=resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5
mkdir -p "$HOME/.keras/models" && cp "$work/tf.h5" "$HOME/.keras/models/$notop"
"$cli" weights list >"$work/list.txt"
check "list says which naming the unverified file has" \
    grep -qF "unverified: md5 $tf_md5 matches no known ResNet50 weights file; it is a Keras weights file with tf.keras' ResNet50 layer names" "$work/list.txt"

# run: the tf.keras file loads into the seed's network, says what differs, and gives the seed-named file's maps.
run() {  # run WEIGHTS OUT_DIR
    "$cli" run --sample chelsea --input-size 64 --layers conv1,pool1,res2a_branch1,res3b_relu,res4f_relu \
        --weights "$1" --export-dir "$2" --threads 1
}
run "$work/tf.h5" "$work/out_tf" >"$work/run_tf.txt" 2>"$work/run_tf.err"
check "run with the tf.keras file succeeds" test $? -eq 0
run "$work/seed.h5" "$work/out_seed" >"$work/run_seed.txt" 2>&1
check "run says the layer names were translated" grep -qF "layer names: tf.keras ResNet50's (conv1_conv" "$work/run_tf.txt"
check "run says the BN epsilon differs" grep -qF "epsilon 1.001e-5 (the seed's layers: Keras' default 1e-3)" "$work/run_tf.txt"
check "run says pool1 is aligned differently" grep -qF "pads pool1 by 1 before a 'valid' 3x3/2 max-pooling" "$work/run_tf.txt"
check "run loads every layer of the backbone" grep -qF "loaded: 86 layers" "$work/run_tf.txt"
check "the seed-named file's report says nothing of tf.keras" bash -c "! grep -q tf.keras '$work/run_seed.txt'"
for node in conv1 pool1 res2a_branch1 res3b_relu res4f_relu; do
    check "$node.npy is the same from both files" cmp -s "$work/out_tf/$node.npy" "$work/out_seed/$node.npy"
done

# A partial tf.keras file (an interrupted copy) is refused with one line naming it; a missing or extra layer is
# covered by the C++ tests (test_tf_keras_weights.cpp).
head -c 20000000 "$work/tf.h5" >"$work/cut.h5"
fails_with "weights file $work/cut.h5" run --sample chelsea --input-size 64 --weights "$work/cut.h5" --export-dir "$work/out_cut"

finish
