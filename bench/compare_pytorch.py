#!/usr/bin/env python3
"""The seed's ResNet50 in PyTorch (eager mode), timed like `convscope-cli bench`, as a peer to compare with.

A developer tool only: convscope never needs Python to build, run or test. Use Debian's python3-torch:

    /usr/bin/python3 bench/compare_pytorch.py --input-size 600 --stages 4 --threads 2 --reps 5
    /usr/bin/python3 bench/compare_pytorch.py --input-size 224 --stages 5 --include-top --threads 2

The network is the seed's, exactly as convscope builds it: ZeroPadding2D(3) -> Conv2D(64, 7, strides 2)
-> BatchNormalization(eps 1e-3) -> ReLU -> MaxPooling2D(3, strides 2, "same": TensorFlow's split, the odd
row at the bottom) -> conv/identity blocks with biases on every conv, 3x3 "same" in 2b, strides on 2a and
the shortcut -> (option) global average pool + Dense(1000) + softmax. Weights are random (timing does not
depend on them). It prints the same figure lines as convscope-cli bench.
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def same_pad(size, kernel, stride):
    """TensorFlow's 'same' padding for one axis: (before, after), the odd extra at the end."""
    out = math.ceil(size / stride)
    total = max(0, (out - 1) * stride + kernel - size)
    return total // 2, total - total // 2


class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride=1, same=False, relu=True):
        super().__init__()
        # 'same' at stride 1 is symmetric for odd kernels: PyTorch's own padding, as a PyTorch user would write
        # it (an explicit F.pad would add a copy per layer and make the peer look slower than it is).
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, bias=True, padding=(k // 2 if same and stride == 1 else 0))
        self.bn = nn.BatchNorm2d(cout, eps=1e-3)
        self.k, self.stride, self.same, self.relu = k, stride, same, relu

    def forward(self, x):
        if self.same and self.k > 1 and self.stride != 1:
            top, bottom = same_pad(x.shape[2], self.k, self.stride)
            left, right = same_pad(x.shape[3], self.k, self.stride)
            x = F.pad(x, (left, right, top, bottom))
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class Block(nn.Module):
    def __init__(self, cin, filters, stride, conv_block):
        super().__init__()
        f1, f2, f3 = filters
        self.a = ConvBN(cin, f1, 1, stride)
        self.b = ConvBN(f1, f2, 3, 1, same=True)
        self.c = ConvBN(f2, f3, 1, relu=False)
        self.shortcut = ConvBN(cin, f3, 1, stride, relu=False) if conv_block else None

    def forward(self, x):
        y = self.c(self.b(self.a(x)))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class SeedResNet50(nn.Module):
    def __init__(self, last_stage=4, include_top=False):
        super().__init__()
        self.conv1 = ConvBN(3, 64, 7, 2)
        stages = [(3, (64, 64, 256), 1), (4, (128, 128, 512), 2), (6, (256, 256, 1024), 2), (3, (512, 512, 2048), 2)]
        blocks, cin = [], 64
        for number, (count, filters, stride) in enumerate(stages, start=2):
            if number > last_stage:
                break
            for i in range(count):
                blocks.append(Block(cin, filters, stride if i == 0 else 1, i == 0))
                cin = filters[2]
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(2048, 1000) if include_top else None

    def forward(self, x):
        x = self.conv1(F.pad(x, (3, 3, 3, 3)))
        top, bottom = same_pad(x.shape[2], 3, 2)
        left, right = same_pad(x.shape[3], 3, 2)
        x = F.max_pool2d(F.pad(x, (left, right, top, bottom), value=float("-inf")), 3, 2)
        x = self.blocks(x)
        if self.fc is not None:
            x = F.softmax(self.fc(x.mean(dim=(2, 3))), dim=1)
        return x


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input-size", default="600", help="H or H,W")
    p.add_argument("--stages", type=int, default=4, choices=(4, 5))
    p.add_argument("--include-top", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--channels-last", action="store_true", help="NHWC memory format (often faster with oneDNN)")
    args = p.parse_args()
    sizes = [int(s) for s in args.input_size.split(",")]
    h, w = sizes[0], sizes[-1]
    if args.include_top and args.stages != 5:
        args.stages = 5

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = SeedResNet50(args.stages, args.include_top).eval()
    x = torch.randn(1, 3, h, w)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
    times = []
    with torch.inference_mode():
        for r in range(args.warmup + args.reps):
            start = time.perf_counter()
            model(x)
            if r >= args.warmup:
                times.append((time.perf_counter() - start) * 1000.0)
    print(f"workload: PyTorch {torch.__version__} eager, seed ResNet50 stages 1-{args.stages}"
          f"{' + top' if args.include_top else ''} at {h}x{w}{', channels_last' if args.channels_last else ''}")
    print(f"threads: {torch.get_num_threads()}, reps: {args.reps} (+{args.warmup} warm-up)")
    print(f"median: {statistics.median(times):.1f} ms   min: {min(times):.1f} ms")


if __name__ == "__main__":
    main()
