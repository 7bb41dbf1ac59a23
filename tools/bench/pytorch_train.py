"""PyTorch side of `npm run bench -- train --pytorch`: trains the same network as the engine, on the same
machine, in the same run, so the two speeds compare as a ratio.

Reads one JSON object on stdin: {"layers": [...], "inputShape": [48, 48, 1], "classes": 7, "batch": 64,
"steps": 6, "warmup": 2, "threads": 2}, the layer list that tools/bench/train.ts reads off the tfjs model
(Conv2D, BatchNormalization, ReLU, MaxPooling2D, Dropout, Flatten, GlobalAveragePooling2D, Dense).
Prints one JSON line: {"torch": version, "threads": n, "memoryFormat": ..., "trainingImagesPerSecond": x,
"trainingStepMs": [...], "imagesPerSecondByMemoryFormat": {...}}. Adam 1e-3 and cross-entropy on random data,
as the engine's bench; float32; run in both memory formats (channels-last, the layout of oneDNN's fast
convolutions and of the engine, and PyTorch's default contiguous one), the faster reported.
"""

import json
import statistics
import sys
import time

import torch
from torch import nn


def same_padding(kernel, stride, size):
    """TensorFlow's 'same' padding for one axis: (before, after), the extra pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class TfPad(nn.Module):
    """Asymmetric 'same' padding, as TensorFlow pads (only when the two sides differ)."""

    def __init__(self, left, right, top, bottom):
        super().__init__()
        self.pad = (left, right, top, bottom)

    def forward(self, x):
        return nn.functional.pad(x, self.pad)


def build(layers, input_shape, classes):
    height, width, channels = input_shape
    modules = []
    features = None  # set after Flatten / global pooling
    for layer in layers:
        kind, config = layer["className"], layer["config"]
        if kind == "Conv2D":
            k = config["kernelSize"]
            s = config["strides"]
            kh, kw = k if isinstance(k, list) else (k, k)
            sh, sw = s if isinstance(s, list) else (s, s)
            if config["padding"] == "same":
                top, bottom = same_padding(kh, sh, height)
                left, right = same_padding(kw, sw, width)
                if top == bottom and left == right:
                    pad = (top, left)
                else:
                    modules.append(TfPad(left, right, top, bottom))
                    pad = 0
                height, width = -(-height // sh), -(-width // sw)
            else:
                pad = 0
                height, width = (height - kh) // sh + 1, (width - kw) // sw + 1
            modules.append(nn.Conv2d(channels, config["filters"], (kh, kw), (sh, sw), pad, bias=config["useBias"]))
            channels = config["filters"]
            if config["activation"] == "relu":
                modules.append(nn.ReLU())
        elif kind == "BatchNormalization":
            modules.append(nn.BatchNorm2d(channels, eps=config["epsilon"], momentum=1 - config["momentum"]))
        elif kind == "ReLU":
            modules.append(nn.ReLU())
        elif kind == "MaxPooling2D":
            p, s = config["poolSize"], config["strides"]
            ph, pw = p if isinstance(p, list) else (p, p)
            sh, sw = s if isinstance(s, list) else (s, s)
            if config["padding"] != "valid":
                raise SystemExit("MaxPooling2D with padding other than valid is not supported here")
            modules.append(nn.MaxPool2d((ph, pw), (sh, sw)))
            height, width = (height - ph) // sh + 1, (width - pw) // sw + 1
        elif kind == "Dropout":
            modules.append(nn.Dropout(config["rate"]))
        elif kind == "Flatten":
            modules.append(nn.Flatten())
            features = channels * height * width
        elif kind == "GlobalAveragePooling2D":
            modules.append(nn.AdaptiveAvgPool2d(1))
            modules.append(nn.Flatten())
            features = channels
        elif kind == "Dense":
            modules.append(nn.Linear(features, config["units"]))
            features = config["units"]
            if config["activation"] == "relu":
                modules.append(nn.ReLU())
            elif config["activation"] not in ("softmax", "linear"):
                raise SystemExit(f"Dense activation {config['activation']} is not supported here")
        elif kind == "InputLayer":
            continue
        else:
            raise SystemExit(f"layer {kind} is not supported by the PyTorch bench")
    if features != classes:
        raise SystemExit(f"the network ends in {features} outputs, expected {classes}")
    return nn.Sequential(*modules)


def measure(spec, memory_format):
    """Median step time of one training loop in this memory format, in milliseconds per step."""
    torch.manual_seed(1)
    height, width, channels = spec["inputShape"]
    model = build(spec["layers"], spec["inputShape"], spec["classes"]).to(memory_format=memory_format)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batch = spec["batch"]
    xs = torch.rand(batch, channels, height, width).to(memory_format=memory_format)
    labels = torch.arange(batch) % spec["classes"]
    step_ms = []
    for step in range(spec["warmup"] + spec["steps"]):
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs), labels)
        loss.backward()
        optimizer.step()
        elapsed = (time.perf_counter() - started) * 1000
        if step >= spec["warmup"]:
            step_ms.append(elapsed)
    return step_ms


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(spec["threads"])
    # PyTorch's best chance: both memory formats, the faster one reported.
    runs = {name: measure(spec, fmt) for name, fmt in (("channels_last", torch.channels_last), ("contiguous", torch.contiguous_format))}
    speeds = {name: spec["batch"] / (statistics.median(ms) / 1000) for name, ms in runs.items()}
    best = max(speeds, key=speeds.get)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "memoryFormat": best,
        "trainingImagesPerSecond": speeds[best],
        "trainingStepMs": [round(ms) for ms in runs[best]],
        "imagesPerSecondByMemoryFormat": {name: round(speed, 1) for name, speed in speeds.items()},
    }))


if __name__ == "__main__":
    main()
