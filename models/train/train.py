"""tilesr's trainer: `python3 train.py CONFIG.json`, driven by `tilesr train` (cli/commands/train.ts).

The TypeScript side decodes every file through formats/ (what inference sees), applies the card's
normalization contract (models/normalize.ts: robust 0.1-99.9 % range per image/band, clipped to
[0,1]), splits by subject/series/scene and hands this script float32 .npy images. This script crops
to content, trains (fidelity: Charbonnier; perceptual: relativistic GAN + L1 + discriminator feature
matching; optional distillation from an --init teacher of another size), exports ONNX with only Conv,
Relu, Add, Mul and DepthToSpace, and saves a probe input with PyTorch's output so the caller can check
onnxruntime against PyTorch. Progress goes to stdout as one JSON object per line. SIGINT/SIGTERM stop
at the next iteration: a last checkpoint is written (atomically) and nothing is exported.
"""
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from degrade import bicubic_up, degrade  # noqa: E402
from srmodels import ARCHS, Discriminator, SRResNet, infer_arch, load_onnx_weights  # noqa: E402

ALLOWED_OPS = {"Conv", "Relu", "PRelu", "Add", "Mul", "DepthToSpace"}
STOP = {"flag": False}


def emit(event, **kw):
    print(json.dumps({"event": event, **kw}), flush=True)


def content_crop(a, thresh=0.02, margin=4):
    """The bounding box of pixels above `thresh` (air/background removed), plus a margin."""
    ys, xs = np.nonzero(a > thresh)
    if len(ys) == 0:
        return a
    y0, y1 = max(0, ys.min() - margin), min(a.shape[0], ys.max() + 1 + margin)
    x0, x1 = max(0, xs.min() - margin), min(a.shape[1], xs.max() + 1 + margin)
    return a[y0:y1, x0:x1]


def load_images(paths):
    out = []
    for p in paths:
        a = np.load(p).astype(np.float32)
        if a.ndim != 2:
            raise ValueError(f"{p}: expected a 2-D image, got {a.shape}")
        out.append(content_crop(np.clip(a, 0, 1)))
    return out


def psnr(a, b, shave):
    if shave:
        a = a[..., shave:-shave, shave:-shave]
        b = b[..., shave:-shave, shave:-shave]
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(1 / mse)


def validate(model, val, scale):
    """Mean PSNR ([0,1] scale, shave=scale, SR clamped) of model and bicubic over the val images."""
    if not val:
        return None, None
    model.eval()
    ps, pb = [], []
    with torch.no_grad():
        for hr in val:
            lr = degrade(hr, scale, "bicubic", None)
            ps.append(psnr(model(lr).clamp(0, 1), hr, scale))
            pb.append(psnr(bicubic_up(lr, scale), hr, scale))
    model.train()
    return float(np.mean(ps)), float(np.mean(pb))


def val_tensors(images, scale, crop):
    out = []
    for a in images:
        h = min(a.shape[0], crop) // scale * scale
        w = min(a.shape[1], crop) // scale * scale
        if h < 4 * scale or w < 4 * scale:
            continue
        y0, x0 = (a.shape[0] - h) // 2, (a.shape[1] - w) // 2
        out.append(torch.from_numpy(np.ascontiguousarray(a[y0 : y0 + h, x0 : x0 + w]))[None, None])
    return out


def sample_batch(images, weights, batch, hr_patch, gen):
    idx = torch.multinomial(weights, batch, replacement=True, generator=gen)
    out = []
    for i in idx.tolist():
        a = images[i]
        y = int(torch.randint(0, a.shape[0] - hr_patch + 1, (), generator=gen))
        x = int(torch.randint(0, a.shape[1] - hr_patch + 1, (), generator=gen))
        t = torch.from_numpy(np.ascontiguousarray(a[y : y + hr_patch, x : x + hr_patch]))
        k = int(torch.randint(0, 8, (), generator=gen))
        if k & 1:
            t = t.flip(1)
        t = torch.rot90(t, k >> 1)
        out.append(t)
    return torch.stack(out)[:, None].contiguous()


def charbonnier(a, b, eps=1e-3):
    return torch.sqrt((a - b) ** 2 + eps * eps).mean()


def save_checkpoint(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def fold_constants(path):
    """Moves Constant nodes into initializers so the graph holds only the allowed compute ops."""
    import onnx

    m = onnx.load(path)
    keep = []
    for n in m.graph.node:
        if n.op_type == "Constant":
            t = onnx.helper.get_attribute_value(n.attribute[0])
            t.name = n.output[0]
            m.graph.initializer.append(t)
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return sorted({n.op_type for n in m.graph.node}), m.opset_import[0].version


def export(model, path, probe, work):
    model.eval()
    dummy = torch.zeros(1, 1, 16, 16)
    torch.onnx.export(
        model,
        dummy,
        path,
        opset_version=17,
        input_names=["lr"],
        output_names=["sr"],
        dynamic_axes={"lr": {0: "batch", 2: "height", 3: "width"}, "sr": {0: "batch", 2: "out_height", 3: "out_width"}},
        do_constant_folding=True,
    )
    ops, opset = fold_constants(path)
    bad = sorted(set(ops) - ALLOWED_OPS)
    if bad:
        raise RuntimeError(f"exported graph uses ops outside {sorted(ALLOWED_OPS)}: {bad}")
    with torch.no_grad():
        out = model(probe)
    np.save(os.path.join(work, "probe_in.npy"), probe.numpy())
    np.save(os.path.join(work, "probe_torch.npy"), out.numpy())
    return ops, opset


def main(cfg_path):
    cfg = json.load(open(cfg_path))
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: STOP.__setitem__("flag", True))
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.set_num_threads(max(1, int(cfg.get("threads") or 1)))
    gen = torch.Generator().manual_seed(cfg["seed"])
    scale = cfg["scale"]
    # a CUDA GPU when there is one (sampling and degradation stay seeded on the CPU generator)
    dev = torch.device("cuda" if torch.cuda.is_available() and cfg.get("device", "auto") != "cpu" else "cpu")
    work = cfg["work"]

    teacher = None
    arch = dict(ARCHS[cfg["arch"]])
    model = SRResNet(scale, arch["channels"], arch["blocks"])
    init_note = "random (PyTorch default)"
    if cfg.get("init_onnx"):
        from srmodels import onnx_initializers

        s0, c0, b0 = infer_arch(onnx_initializers(cfg["init_onnx"]))
        if s0 != scale:
            raise ValueError(f"--init model is x{s0}, training x{scale}")
        if (c0, b0) == (arch["channels"], arch["blocks"]):
            load_onnx_weights(model, cfg["init_onnx"])
            init_note = f"fine-tuned from {cfg['init_label']}"
        else:
            teacher = load_onnx_weights(SRResNet(scale, c0, b0), cfg["init_onnx"]).eval()
            for p in teacher.parameters():
                p.requires_grad_(False)
            init_note = f"distilled from {cfg['init_label']} ({c0} ch / {b0} blocks teacher)"

    hr_patch = cfg["lr_patch"] * scale
    train_imgs = [a for a in load_images(cfg["train"]) if min(a.shape) >= hr_patch]
    if not train_imgs:
        raise ValueError(f"no training image is at least {hr_patch}x{hr_patch} px after content cropping")
    weights = torch.tensor([float(a.size) for a in train_imgs])
    val = [v.to(dev) for v in val_tensors(load_images(cfg["val"]), scale, cfg["val_crop"])[: cfg["val_max"]]]
    model.to(dev)
    if teacher is not None:
        teacher.to(dev)
    emit(
        "data",
        train_images=len(train_imgs),
        train_megapixels=round(float(weights.sum()) / 1e6, 4),
        val_images=len(val),
    )

    perceptual = cfg["variant"] == "perceptual"
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.99))
    disc = Discriminator().to(dev) if perceptual else None
    opt_d = torch.optim.Adam(disc.parameters(), lr=cfg["lr"], betas=(0.9, 0.99)) if disc else None
    ema = None
    if cfg["ema"] > 0:
        ema = SRResNet(scale, arch["channels"], arch["blocks"]).to(dev)
        ema.load_state_dict(model.state_dict())
        for p in ema.parameters():
            p.requires_grad_(False)

    iters, budget = cfg["iterations"], cfg["minutes"] * 60
    ckpt_path = os.path.join(work, "checkpoint.pt")
    start_it = 0
    if cfg.get("resume") and os.path.exists(cfg["resume"]):
        st = torch.load(cfg["resume"], map_location=dev)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        if ema is not None and st.get("ema"):
            ema.load_state_dict(st["ema"])
        start_it = st["it"]
        gen.set_state(st["gen"])
    history = []
    t0 = time.time()
    last_ckpt = t0
    it = start_it
    loss_v = float("nan")
    bce = torch.nn.BCEWithLogitsLoss()

    def state():
        return {
            "model": model.state_dict(),
            "opt": opt.state_dict(),
            "ema": ema.state_dict() if ema is not None else None,
            "it": it,
            "gen": gen.get_state(),
            "config": cfg,
        }

    while it < iters:
        if STOP["flag"]:
            save_checkpoint(ckpt_path, state())
            emit("aborted", it=it, checkpoint=ckpt_path)
            return 130
        elapsed = time.time() - t0
        if elapsed >= budget:
            break
        frac = max(it / iters, elapsed / budget)
        warm = 0.05
        lr_now = cfg["lr"] * (frac / warm if frac < warm else 0.5 * (1 + math.cos(math.pi * (frac - warm) / (1 - warm))))
        for g in opt.param_groups:
            g["lr"] = max(lr_now, cfg["lr"] * 0.01)
        hr = sample_batch(train_imgs, weights, cfg["batch"], hr_patch, gen)
        lr_in = degrade(hr, scale, cfg["degradation"], gen).to(dev)
        hr = hr.to(dev)
        sr = model(lr_in)
        if perceptual:
            l1 = F.l1_loss(sr, hr)
            # discriminator: relativistic average (real vs mean fake and vice versa)
            d_real, _ = disc(hr)
            d_fake, _ = disc(sr.detach())
            loss_d = bce(d_real - d_fake.mean(), torch.ones_like(d_real)) + bce(
                d_fake - d_real.mean(), torch.zeros_like(d_fake)
            )
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            d_real, f_real = disc(hr)
            d_fake, f_fake = disc(sr)
            adv = bce(d_fake - d_real.detach().mean(), torch.ones_like(d_fake)) + bce(
                d_real.detach() - d_fake.mean(), torch.zeros_like(d_real)
            )
            fm = sum(F.l1_loss(a, b.detach()) for a, b in zip(f_fake, f_real)) / len(f_real)
            loss = l1 + cfg["adv_weight"] * adv + cfg["fm_weight"] * fm
        else:
            loss = charbonnier(sr, hr)
        if teacher is not None:
            with torch.no_grad():
                t_out = teacher(lr_in)
            loss = loss + cfg["distill_weight"] * F.l1_loss(sr, t_out)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if ema is not None:
            # warmed-up decay: short (CPU) runs are not dominated by the initial weights
            decay = min(cfg["ema"], (1 + it) / (10 + it))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
        it += 1
        loss_v = float(loss)
        now = time.time()
        if it % cfg["log_every"] == 0 or it == iters:
            rate = (it - start_it) / max(1e-9, now - t0)
            eta = min((iters - it) / max(rate, 1e-9), max(0.0, budget - (now - t0)))
            rec = {"it": it, "of": iters, "loss": round(loss_v, 6), "elapsed": round(now - t0, 1), "eta": round(eta, 1)}
            if cfg["val_every"] and it % cfg["val_every"] == 0:
                vp, bp = validate(ema or model, val, scale)
                rec["val_psnr"] = None if vp is None else round(vp, 3)
                history.append({"it": it, "t": round(now - t0, 1), "loss": round(loss_v, 6), "val_psnr": rec["val_psnr"]})
            emit("progress", **rec)
        if now - last_ckpt > cfg["checkpoint_seconds"]:
            save_checkpoint(ckpt_path, state())
            last_ckpt = now

    final = ema or model
    wall = time.time() - t0
    vp, bp = validate(final, val, scale)
    save_checkpoint(ckpt_path, state())
    final = final.cpu()
    probe_src = val[0].cpu() if val else torch.from_numpy(np.ascontiguousarray(train_imgs[0]))[None, None]
    lr_probe = degrade(probe_src, scale, "bicubic", None) if probe_src.shape[-1] % scale == 0 and probe_src.shape[-2] % scale == 0 else None
    if lr_probe is None or min(lr_probe.shape[-2:]) < 8:
        lr_probe = torch.rand(1, 1, 23, 29, generator=gen)
    # odd sizes on purpose: dynamic axes must hold
    lr_probe = lr_probe[..., : 2 * (lr_probe.shape[-2] // 2) - 1, : 2 * (lr_probe.shape[-1] // 2) - 1].contiguous()
    onnx_path = os.path.join(work, "model.onnx")
    ops, opset = export(final.cpu(), onnx_path, lr_probe, work)
    params = sum(p.numel() for p in final.parameters())
    losses = (
        f"L1 + {cfg['adv_weight']} x relativistic GAN + {cfg['fm_weight']} x discriminator feature matching"
        if perceptual
        else "Charbonnier (eps 1e-3)"
    )
    if teacher is not None:
        losses += f" + {cfg['distill_weight']} x L1 to the teacher"
    result = {
        "params": params,
        "architecture": final.card_architecture(),
        "receptive_field_lr_px": final.architectural_radius(),
        "iterations": it,
        "wall_minutes": round(wall / 60, 3),
        "it_per_s": round((it - start_it) / max(wall, 1e-9), 3),
        "losses": losses,
        "init": init_note,
        "history": history,
        "python_val_psnr": None if vp is None else round(vp, 3),
        "python_bicubic_psnr": None if bp is None else round(bp, 3),
        "train_images_usable": len(train_imgs),
        "val_images_used": len(val),
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
        "threads": torch.get_num_threads(),
        "ops": ops,
        "opset": opset,
    }
    json.dump(result, open(os.path.join(work, "result.json"), "w"), indent=1)
    emit("done", iterations=it, val_psnr=result["python_val_psnr"], bicubic_psnr=result["python_bicubic_psnr"])
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--check":
        # the dependency probe of cli/commands/train.ts
        import onnx  # noqa: F401

        print(json.dumps({"torch": torch.__version__, "numpy": np.__version__}))
        sys.exit(0)
    try:
        sys.exit(main(sys.argv[1]))
    except Exception as e:  # one JSON line the caller turns into a typed error
        emit("error", message=f"{type(e).__name__}: {e}")
        sys.exit(2)
