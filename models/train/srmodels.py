"""Generators and discriminator of tilesr's training pipeline.

`SRResNet` reproduces the shipped generators exactly (models/weights/*.json "architecture"): head conv
1->C, B residual blocks (conv, ReLU, conv, x0.1, + input; no batch norm), a body-end conv, a feature-level global skip
(head + body), log2(s) x [conv C->4C, PixelShuffle(2), ReLU] and a tail conv C->1. Parameter names
(head.weight, body.N.c1.weight, body.B.weight, up.0.weight, up.3.weight, tail.weight) equal the ONNX initializer
names of the shipped graphs, so `load_onnx_weights` fills the module straight from an .onnx file.
The `fast` architecture is the same graph with fewer channels and blocks (CPU/WASM users).
"""
import math

import torch
from torch import nn

ARCHS = {
    "srresnet": {"channels": 64, "blocks": 16},
    "fast": {"channels": 32, "blocks": 6},
}


class Block(nn.Module):
    def __init__(self, c, res_scale):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, padding=1)
        self.a = nn.ReLU()
        self.c2 = nn.Conv2d(c, c, 3, padding=1)
        self.res_scale = res_scale

    def forward(self, x):
        return x + self.c2(self.a(self.c1(x))) * self.res_scale


class SRResNet(nn.Module):
    def __init__(self, scale, channels=64, blocks=16, res_scale=0.1):
        super().__init__()
        if scale not in (2, 4):
            raise ValueError("scale must be 2 or 4")
        self.scale = scale
        self.channels = channels
        self.blocks = blocks
        self.head = nn.Conv2d(1, channels, 3, padding=1)
        # EDSR-style: the body ends with a conv (body.<blocks>) before the global skip
        self.body = nn.Sequential(
            *[Block(channels, res_scale) for _ in range(blocks)], nn.Conv2d(channels, channels, 3, padding=1)
        )
        up = []
        for _ in range(int(math.log2(scale))):
            up += [nn.Conv2d(channels, 4 * channels, 3, padding=1), nn.PixelShuffle(2), nn.ReLU()]
        self.up = nn.Sequential(*up)
        self.tail = nn.Conv2d(channels, 1, 3, padding=1)

    def forward(self, x):
        h = self.head(x)
        return self.tail(self.up(h + self.body(h)))

    def card_architecture(self):
        """The card's `architecture` block, worded as the shipped cards word it."""
        n_up = int(math.log2(self.scale))
        return {
            "type": "SRResNet (no BN, EDSR-style residual scaling)",
            "channels": self.channels,
            "blocks": self.blocks,
            "activation": "relu",
            "res_scale": 0.1,
            "upsampler": f"{n_up}x [conv3x3, PixelShuffle(2), relu]",
            "head": "conv3x3 1->C",
            "tail": "conv3x3 C->1",
            "global_skip": "feature-level (head + body)",
            "output_clamp": False,
        }

    def architectural_radius(self):
        """LR pixels per side that can reach an output pixel: every 3x3 conv adds one pixel at its
        own resolution (upsampler convs after the first PixelShuffle count 1/2, the tail 1/scale)."""
        r = 1 + 2 * self.blocks + 1
        res = 1
        for _ in range(int(math.log2(self.scale))):
            r += 1 / res
            res *= 2
        r += 1 / res
        return math.ceil(r)


def onnx_initializers(path):
    """name -> numpy array of every initializer in an ONNX file (python3-onnx)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    return {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}


def infer_arch(weights):
    """(scale, channels, blocks) of a shipped-style graph from its initializer shapes."""
    channels = int(weights["head.weight"].shape[0])
    blocks = len({k.split(".")[1] for k in weights if k.startswith("body.") and k.count(".") == 3})
    n_up = len([k for k in weights if k.startswith("up.") and k.endswith(".weight")])
    return 2**n_up, channels, blocks


def load_onnx_weights(model, path):
    """Copies the ONNX initializers into `model` (names and shapes must match exactly)."""
    weights = onnx_initializers(path)
    state = model.state_dict()
    missing = [k for k in state if k not in weights]
    if missing:
        raise ValueError(f"{path}: initializers missing for {missing[:4]}")
    for k, v in state.items():
        if tuple(weights[k].shape) != tuple(v.shape):
            raise ValueError(f"{path}: {k} is {tuple(weights[k].shape)}, model wants {tuple(v.shape)}")
        state[k] = torch.from_numpy(weights[k].copy())
    model.load_state_dict(state)
    return model


class Discriminator(nn.Module):
    """A small patch discriminator for the perceptual variant; `features` feed feature matching."""

    def __init__(self, c=32):
        super().__init__()
        chans = [1, c, c, 2 * c, 2 * c, 4 * c]
        self.stages = nn.ModuleList()
        for i in range(len(chans) - 1):
            stride = 1 if i == 0 else 2
            self.stages.append(
                nn.Sequential(nn.Conv2d(chans[i], chans[i + 1], 3, stride, 1), nn.LeakyReLU(0.2))
            )
        self.out = nn.Conv2d(chans[-1], 1, 3, padding=1)

    def forward(self, x):
        feats = []
        for s in self.stages:
            x = s(x)
            feats.append(x)
        return self.out(x).mean(dim=(1, 2, 3)), feats
