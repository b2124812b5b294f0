#!/usr/bin/env python3
"""Where the time goes, layer by layer, in convscope and in ONNX Runtime on the same network.

Runs `convscope-cli bench --per-node` and ONNX Runtime with session profiling (bench/ort_bench.cjs --profile, on
the model bench/compare_onnxruntime.sh exported), then prints each convolution's median time in both, their
ratio, and sums by kind (stem, the 1x1 and 3x3 convs of each stage, the classifier). A developer tool only,
like the rest of bench/: convscope never needs Python or Node.js.

    /usr/bin/python3 bench/compare_layers.py --input-size 224 --include-top [--threads 2] [--reps 30]
    /usr/bin/python3 bench/compare_layers.py --input-size 600 [--reps 7]

Run bench/compare_onnxruntime.sh once first with the same size: it installs ONNX Runtime and exports the model.
The two run one after the other, not interleaved, and profiling costs ONNX Runtime a few percent: read the
ratios as where to look, and take speed claims from compare_onnxruntime.sh.

Matching the names: convscope books a fused Conv2D -> BN -> ReLU (and a block's Add -> ReLU join) on its Conv2D
node; ONNX Runtime fuses the same way and names the fused node after the last op it absorbed. Its layout
changes (ReorderInput / ReorderOutput) and the stem's explicit Pad nodes are booked as "stem, other".
"""
import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGE_BLOCKS = (3, 4, 6, 3)  # ResNet50's blocks per stage 2..5
BRANCH = {"a": "branch2a", "b": "branch2b", "c": "branch2c", "shortcut": "branch1"}


def keras_block_name(index):
    """ONNX block index 0..15 -> ('res', stage, letter), e.g. 3 -> res3a."""
    for stage, count in enumerate(STAGE_BLOCKS, start=2):
        if index < count:
            return f"res{stage}{'abcdef'[index]}"
        index -= count
    raise ValueError(f"block index out of range: {index}")


def ort_layer(name):
    """An ORT profile node name -> convscope's node name it matches, or a group label."""
    m = re.match(r"/blocks/blocks\.(\d+)/(a|b|c|shortcut)/", name)
    if m:
        return f"{keras_block_name(int(m.group(1)))}_{BRANCH[m.group(2)]}"
    if name.startswith("/conv1/"):
        return "conv1"
    if "MaxPool" in name:
        return "pool1"
    if name.startswith(("/fc/", "/ReduceMean", "/Softmax", "/Flatten")):
        return "top"
    return "stem, other"  # Pad, the layout reorders


def kind(layer):
    """A layer name -> the row it is summed into."""
    m = re.match(r"res(\d)[a-f]_(branch2a|branch2b|branch2c|branch1)", layer)
    if m:
        return f"stage {m.group(1)} {'3x3' if m.group(2) == 'branch2b' else '1x1'}"
    if layer in ("conv1", "pool1", "conv1_pad", "stem, other"):
        return "stem (pad, conv1, pool1)"
    return "top"


def ours(cli, args):
    cmd = [cli, "bench", "--per-node", "--input-size", args.input_size, "--threads", str(args.threads),
           "--reps", str(args.reps)] + (["--include-top"] if args.include_top else ["--stages", str(args.stages)])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    times, median = {}, None
    for line in out.splitlines():
        if line.startswith("median:"):
            median = float(line.split()[1])
        parts = line.split()
        if len(parts) >= 3 and re.fullmatch(r"[0-9.]+", parts[1]) and parts[2].endswith("%"):
            if float(parts[1]) > 0:
                times[parts[0]] = float(parts[1])
    return times, median


def onnxruntime(args, model):
    peers = os.environ.get("CONVSCOPE_PEERS", os.path.expanduser("~/.cache/convscope-peers"))
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "profile.json")
        env = dict(os.environ, NODE_PATH=os.path.join(peers, "node_modules"))
        out = subprocess.run(["node", os.path.join(ROOT, "bench", "ort_bench.cjs"), model, "--threads",
                              str(args.threads), "--reps", str(args.reps), "--spin", "1", "--profile", profile],
                             check=True, capture_output=True, text=True, env=env).stdout
        with open(profile) as f:
            events = json.load(f)
    median = next(float(l.split()[1]) for l in out.splitlines() if l.startswith("median:"))
    per_run = collections.defaultdict(list)  # node -> its duration in each run (microseconds)
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            per_run[e["name"][: -len("_kernel_time")]].append(e["dur"])
    times = collections.defaultdict(float)
    for node, durations in per_run.items():
        # The first run is the warm-up: leave it out.
        times[ort_layer(node)] += statistics.median(durations[1:] or durations) / 1000.0
    return dict(times), median


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input-size", default="600")
    p.add_argument("--stages", type=int, default=4, choices=(4, 5))
    p.add_argument("--include-top", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=10)
    args = p.parse_args()
    stages = 5 if args.include_top else args.stages
    peers = os.environ.get("CONVSCOPE_PEERS", os.path.expanduser("~/.cache/convscope-peers"))
    model = os.path.join(peers, "models", f"seed-{args.input_size.replace(',', 'x')}-s{stages}"
                         + ("-top" if args.include_top else ""))
    if not os.path.isfile(os.path.join(model, "model.onnx")):
        sys.exit(f"compare_layers: no exported model in {model}: run bench/compare_onnxruntime.sh with the same "
                 f"size first")
    cli = os.path.join(ROOT, "build", "app", "convscope-cli")

    mine, mine_median = ours(cli, args)
    theirs, theirs_median = onnxruntime(args, model)

    # Ours: fold the stem's pad and the top's nodes into their rows; conv nodes keep their names.
    layers = [n for n in mine if re.match(r"(conv1|pool1|res\d[a-f]_branch)", n)]
    print(f"{'layer':24} {'convscope ms':>12} {'ORT ms':>8} {'ratio':>6}")
    for layer in layers:
        a, b = mine[layer], theirs.get(layer, 0.0)
        print(f"{layer:24} {a:12.3f} {b:8.3f} {a / b if b else float('nan'):6.2f}")
    sums = collections.OrderedDict()
    for source, times in (("ours", mine), ("ort", theirs)):
        for layer, ms in times.items():
            if source == "ours" and not re.match(r"(conv1|pool1|conv1_pad|res\d[a-f]_branch|avg_pool|fc1000)", layer):
                continue
            row = sums.setdefault(kind(layer), {"ours": 0.0, "ort": 0.0})
            row[source] += ms
    print(f"\n{'by kind':24} {'convscope ms':>12} {'ORT ms':>8} {'ratio':>6}")
    for name in sorted(sums):
        a, b = sums[name]["ours"], sums[name]["ort"]
        print(f"{name:24} {a:12.3f} {b:8.3f} {a / b if b else float('nan'):6.2f}")
    print(f"\nwhole pass (medians, one after the other; ORT profiled): convscope {mine_median:.2f} ms, "
          f"ONNX Runtime {theirs_median:.2f} ms, ratio {mine_median / theirs_median:.3f}")


if __name__ == "__main__":
    main()
