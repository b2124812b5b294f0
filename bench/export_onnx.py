#!/usr/bin/env python3
"""Exports the seed's ResNet50 (the network compare_pytorch.py times) to ONNX for ONNX Runtime, with a test input
and PyTorch's output for that input, so that the peer's answer can be checked before it is timed.

A developer tool only: convscope never needs Python to build, run or test. Use Debian's python3-torch:

    /usr/bin/python3 bench/export_onnx.py --input-size 600 --stages 4 --out DIR
    /usr/bin/python3 bench/export_onnx.py --input-size 224 --include-top --out DIR

Writes DIR/model.onnx (opset 13, batch 1, NCHW as ONNX Runtime expects), DIR/input.bin and DIR/expected.bin
(float32, little-endian, C order) and DIR/shape.json. Weights are random but BatchNormalization statistics are
not left at their defaults (mean 0, variance 1), so that a peer which dropped or mis-fused a BN would fail the
check. The padding is the seed's (ZeroPadding2D(3), TensorFlow's 'same' split) and BN epsilon is 1e-3.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_pytorch import SeedResNet50  # noqa: E402  (the one definition of the network)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input-size", default="600", help="H or H,W")
    p.add_argument("--stages", type=int, default=4, choices=(4, 5))
    p.add_argument("--include-top", action="store_true")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    sizes = [int(s) for s in args.input_size.split(",")]
    h, w = sizes[0], sizes[-1]
    if args.include_top:
        args.stages = 5
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(0)
    model = SeedResNet50(args.stages, args.include_top).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    x = torch.randn(1, 3, h, w)
    with torch.inference_mode():
        expected = model(x)
    torch.onnx.export(model, x, os.path.join(args.out, "model.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)
    x.numpy().astype("<f4").tofile(os.path.join(args.out, "input.bin"))
    expected.numpy().astype("<f4").tofile(os.path.join(args.out, "expected.bin"))
    with open(os.path.join(args.out, "shape.json"), "w") as f:
        json.dump({"input": list(x.shape), "output": list(expected.shape)}, f)
    print(f"exported {args.out}/model.onnx: input {tuple(x.shape)}, output {tuple(expected.shape)}")


if __name__ == "__main__":
    main()
