"""HR -> LR degradations shared with validation/degrade.ts.

`bicubic` is validation's 'torch' degradation: PyTorch F.interpolate(mode='bicubic', antialias=True,
align_corners=False) (= Pillow's antialiased BICUBIC, Keys a=-0.5), then clamped to [0,1] as the shipped
models were trained. models/train/train.test.ts checks it against validation/degrade.ts on a real image.
`realistic` is for scans that are not clean bicubic downsamples: a random Gaussian blur before the
bicubic, sensor noise, and quantization (a random 8-12 bit grid, or 8-bit JPEG when Pillow is there).
"""
import io
import math

import torch
import torch.nn.functional as F


def bicubic_down(hr, scale, clamp=True):
    """[N,1,H,W] on [0,1] -> [N,1,H/s,W/s] (sides must be multiples of `scale`)."""
    h, w = hr.shape[-2:]
    if h % scale or w % scale:
        raise ValueError(f"{w}x{h} is not a multiple of {scale}")
    lr = F.interpolate(hr, size=(h // scale, w // scale), mode="bicubic", antialias=True, align_corners=False)
    return lr.clamp(0, 1) if clamp else lr


def bicubic_up(lr, scale):
    """The plain bicubic baseline (upsampling needs no antialias)."""
    return F.interpolate(lr, scale_factor=scale, mode="bicubic", align_corners=False).clamp(0, 1)


def _gaussian_blur(x, sigma):
    radius = max(1, math.ceil(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    x = F.pad(x, (radius, radius, radius, radius), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1))
    return F.conv2d(x, k.view(1, 1, -1, 1))


def _jpeg(x, quality):
    try:
        import numpy as np
        from PIL import Image
    except ImportError:
        return None
    out = []
    for img in x:
        a = (img[0].clamp(0, 1).numpy() * 255 + 0.5).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, format="JPEG", quality=int(quality))
        b = np.asarray(Image.open(io.BytesIO(buf.getvalue())), dtype=np.float32) / 255
        out.append(torch.from_numpy(b)[None])
    return torch.stack(out)


def realistic_down(hr, scale, gen):
    """Blur (sigma 0.2-1.2 HR px x scale/2), bicubic, noise (sigma 0-0.01), then 8-12 bit or JPEG."""
    u = lambda a, b: a + (b - a) * float(torch.rand((), generator=gen))  # noqa: E731
    x = _gaussian_blur(hr, u(0.2, 1.2) * scale / 2)
    lr = bicubic_down(x, scale, clamp=False)
    lr = lr + torch.randn(lr.shape, generator=gen) * u(0.0, 0.01)
    lr = lr.clamp(0, 1)
    if float(torch.rand((), generator=gen)) < 0.3:
        j = _jpeg(lr, u(60, 95))
        if j is not None:
            return j
    levels = 2 ** int(8 + 5 * float(torch.rand((), generator=gen))) - 1
    return torch.round(lr * levels) / levels


def degrade(hr, scale, kind, gen):
    """The named degradation of a batch."""
    if kind == "bicubic":
        return bicubic_down(hr, scale)
    if kind == "realistic":
        return realistic_down(hr, scale, gen)
    raise ValueError(f"unknown degradation {kind}")


if __name__ == "__main__":
    # python3 degrade.py IN.npy SCALE OUT.npy: the validation parity check (float64, no clamp)
    import sys

    import numpy as np

    a = np.load(sys.argv[1]).astype(np.float64)
    s = int(sys.argv[2])
    a = a[: a.shape[0] - a.shape[0] % s, : a.shape[1] - a.shape[1] % s]
    lr = bicubic_down(torch.from_numpy(a)[None, None], s, clamp=False)[0, 0].numpy()
    np.save(sys.argv[3], lr)
