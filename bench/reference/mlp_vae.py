#!/usr/bin/python3
"""PyTorch reference for Latent Explorer's engine benchmarks (issue #4).

The same VAEs as app/engine (TensorFlow.js), written independently in PyTorch so the tfjs
engine's numbers can be checked against a standard implementation:

* the reference MLP VAE (784-512-16, ReLU hidden layers, Bernoulli likelihood) trained on
  Fashion-MNIST (``reference``): test negative ELBO and IWAE bound, nats per image;
* the default conv models of ``defaultConfigFor`` (28x28x1 and 64x64x3) and the MLP, for
  training throughput (``throughput``) and encode/decode speed (``latency``);
* a weight-transfer parity check against the tfjs engine (``parity``).

Mirrored from app/engine (read those files before changing anything here):

* model/mlp-vae.ts: flatten (NHWC order) -> Dense(w, relu)... -> z_mean, z_log_var (linear);
  decoder Dense(w, relu)... (widths reversed) -> Dense(H*W*C) logits -> reshape -> sigmoid.
* model/conv-vae.ts: Conv2D(4x4, stride 2, 'same', relu) per width -> flatten (NHWC order) ->
  z_mean, z_log_var; decoder Dense(s*s*deepest, relu) -> reshape [s, s, deepest] (NHWC) ->
  for level i = levels-1..0: Conv2DTranspose(widths[max(i-1, 0)], 4x4, stride 2, 'same', relu),
  cropped at the bottom/right where the encoder rounded up -> Conv2D(C, 3x3, 'same') logits.
* model/layers.ts: every kernel glorot-uniform, every bias zero (Keras defaults).
* loss.ts: Bernoulli NLL = BCE with logits summed over pixels; Gaussian NLL with fixed sigma on
  sigmoid(logits); KL(q || N(0, I)) closed form summed over latent dims; objective = mean over
  the batch of (NLL + KL) (beta = 1, no free bits).
* forward.ts: z = mu + exp(0.5 * log_var) * eps.
* train-step.ts: Adam(lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7). tfjs's default epsilon is
  1e-7, PyTorch's 1e-8: both sides use 1e-7. Both implement
  w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
* evaluate.ts: single-sample ELBO with analytic KL; IWAE with log-sum-exp over k samples.

Data: the IDX files of Debian's dataset-fashion-mnist, read with gzip + numpy, pixels / 255 as
float32 intensities in [0, 1] (not binarised). Training shuffles the 60k images every epoch and
keeps the last, partial batch (60000 = 468 x 128 + 96), as the tfjs benchmark does.

Run with Debian's interpreter (/usr/bin/python3, packages python3-torch python3-numpy). Each
command prints one JSON object on stdout; progress goes to stderr.
"""

import argparse
import gzip
import json
import math
import os
import platform
import struct
import sys
import time


def _threads_from_argv(default=2):
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return str(default)


# OpenBLAS (Debian's libopenblas0-pthread) and OpenMP read their thread counts when they load: set
# them before numpy/torch are imported, or OpenBLAS starts one thread per core on top of torch's
# OpenMP threads, which oversubscribes a 2-core machine badly (10x slower steps were measured).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, _threads_from_argv())
# GNU OpenMP spin-waits at every barrier by default. On a 2-core machine shared with other work a
# descheduled thread stalls each parallel op for a time slice: 2-thread steps were measured 30-60x
# slower than with PASSIVE (sleeping) waits, and slower than 1 thread. PASSIVE costs ~nothing here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
LOG_2PI = math.log(2 * math.pi)
ADAM = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7}
MAX_CONV_LEVELS = 6

REFERENCE_MLP = {
    "architecture": "mlp",
    "imageSize": 28,
    "channels": 1,
    "latentDim": 16,
    "widths": [512],
    "likelihood": "bernoulli",
    "gaussianSigma": 0.1,
}


def log(message):
    print(f"   {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- configs


def default_config_for(image_size, channels):
    """Mirror of defaultConfigFor in app/engine/model/config.ts."""
    levels = 1
    while math.ceil(image_size / 2**levels) > 8 and levels < MAX_CONV_LEVELS:
        levels += 1
    widths = [min(256, 32 * 2**i) for i in range(levels)]
    latent = 16 if image_size <= 32 else 32 if image_size <= 64 else 64
    return {
        "architecture": "conv",
        "imageSize": image_size,
        "channels": channels,
        "latentDim": latent,
        "widths": widths,
        "likelihood": "bernoulli" if channels == 1 else "gaussian",
        "gaussianSigma": 0.1,
    }


def model_config(name):
    if name == "mlp":
        return dict(REFERENCE_MLP, widths=list(REFERENCE_MLP["widths"]))
    if name == "conv28":
        return default_config_for(28, 1)
    if name == "conv64":
        return default_config_for(64, 3)
    raise SystemExit(f"unknown model {name!r} (mlp, conv28, conv64)")


def conv_spatial_sizes(image_size, levels):
    sizes = [image_size]
    for _ in range(levels):
        sizes.append(math.ceil(sizes[-1] / 2))
    return sizes


def same_padding(size, kernel, stride):
    """TensorFlow 'same' padding (before, after) along one axis: the extra pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


# --------------------------------------------------------------------------- model


def glorot_(module):
    """Keras defaults: glorot-uniform kernels, zero biases (xavier_uniform_ has the same limit
    sqrt(6 / (fan_in + fan_out)); fan_in + fan_out is the same for every kernel layout)."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


class Vae(nn.Module):
    """Encoder and decoder of app/engine for one VaeConfig. Images are NHWC like the engine's."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        s, c, latent = config["imageSize"], config["channels"], config["latentDim"]
        widths = config["widths"]
        self.conv = config["architecture"] == "conv"
        if not self.conv:
            dims = [s * s * c, *widths]
            self.enc_hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
            self.z_mean = nn.Linear(dims[-1], latent)
            self.z_log_var = nn.Linear(dims[-1], latent)
            rdims = [latent, *reversed(widths)]
            self.dec_hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(rdims, rdims[1:]))
            self.dec_out = nn.Linear(rdims[-1], s * s * c)
        else:
            levels = len(widths)
            self.sizes = conv_spatial_sizes(s, levels)
            self.enc_pads = [same_padding(self.sizes[i], 4, 2) for i in range(levels)]
            chans = [c, *widths]
            self.enc_convs = nn.ModuleList(
                # Symmetric 'same' padding goes into the conv; asymmetric is padded explicitly.
                nn.Conv2d(chans[i], chans[i + 1], 4, 2, padding=p if p == q else 0)
                for i, (p, q) in enumerate(self.enc_pads)
            )
            smallest, deepest = self.sizes[levels], widths[-1]
            flat = smallest * smallest * deepest
            self.z_mean = nn.Linear(flat, latent)
            self.z_log_var = nn.Linear(flat, latent)
            self.dec_dense = nn.Linear(latent, flat)
            deconvs, crops, cin = [], [], deepest
            for i in range(levels - 1, -1, -1):
                filters = widths[max(i - 1, 0)]
                # Transposed 'same' conv with kernel 4, stride 2 doubles the size; it is the
                # gradient of a 'same' conv whose padding is 1 on both sides.
                deconvs.append(nn.ConvTranspose2d(cin, filters, 4, 2, padding=1))
                crops.append(2 * self.sizes[i + 1] - self.sizes[i])
                cin = filters
            self.dec_deconvs = nn.ModuleList(deconvs)
            self.dec_crops = crops
            self.decoder_logits = nn.Conv2d(cin, c, 3, 1, padding=1)
        glorot_(self)

    def encode(self, x):
        """x [N, H, W, C] -> (mu, log_var), both [N, L]."""
        n = x.shape[0]
        if not self.conv:
            h = x.reshape(n, -1)
            for layer in self.enc_hidden:
                h = F.relu(layer(h))
        else:
            h = x.permute(0, 3, 1, 2)
            for conv, (p, q) in zip(self.enc_convs, self.enc_pads):
                if p != q:
                    h = F.pad(h, (p, q, p, q))
                h = F.relu(conv(h))
            h = h.permute(0, 2, 3, 1).reshape(n, -1)  # flatten in NHWC order, like tfjs
        return self.z_mean(h), self.z_log_var(h)

    def decode_logits(self, z):
        """z [N, L] -> logits [N, H, W, C]."""
        n = z.shape[0]
        s, c = self.config["imageSize"], self.config["channels"]
        if not self.conv:
            h = z
            for layer in self.dec_hidden:
                h = F.relu(layer(h))
            return self.dec_out(h).reshape(n, s, s, c)
        smallest, deepest = self.sizes[-1], self.config["widths"][-1]
        h = F.relu(self.dec_dense(z)).reshape(n, smallest, smallest, deepest).permute(0, 3, 1, 2)
        for deconv, extra in zip(self.dec_deconvs, self.dec_crops):
            h = F.relu(deconv(h))
            if extra > 0:
                h = h[:, :, : h.shape[2] - extra, : h.shape[3] - extra]
        return self.decoder_logits(h).permute(0, 2, 3, 1)

    def decode(self, z):
        return torch.sigmoid(self.decode_logits(z))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def reconstruction_nll(x, logits, config):
    """Per-image -log p(x|z) [N], summed over pixels (loss.ts reconstructionNll)."""
    n = x.shape[0]
    if config["likelihood"] == "bernoulli":
        per_pixel = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    else:
        sigma = config.get("gaussianSigma", 0.1)
        z = (x - torch.sigmoid(logits)) / sigma
        per_pixel = 0.5 * z * z + (math.log(sigma) + 0.5 * LOG_2PI)
    return per_pixel.reshape(n, -1).sum(1)


def gaussian_kl(mu, log_var):
    """KL(N(mu, sigma^2) || N(0, 1)) per image and dimension [N, L]."""
    return 0.5 * (mu * mu + torch.exp(log_var) - log_var - 1)


def loss_terms(model, x, eps=None):
    mu, log_var = model.encode(x)
    if eps is None:
        eps = torch.randn_like(mu)
    z = mu + torch.exp(0.5 * log_var) * eps
    rec = reconstruction_nll(x, model.decode_logits(z), model.config)
    kl = gaussian_kl(mu, log_var).sum(1)
    return rec, kl


def train_step(model, opt, x, eps=None):
    rec, kl = loss_terms(model, x, eps)
    loss = (rec + kl).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item(), rec.mean().item(), kl.mean().item()


def make_adam(model):
    return torch.optim.Adam(model.parameters(), **ADAM)


# --------------------------------------------------------------------------- data and machine


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x00000803:
        raise SystemExit(f"{path} is not an unsigned-byte IDX file of rank 3 (magic {magic:#x})")
    return np.frombuffer(data, dtype=np.uint8, count=count * rows * cols, offset=16).reshape(
        count, rows, cols, 1
    )


def load_fashion_mnist(split, directory=FASHION_MNIST_DIR):
    prefix = "train" if split == "train" else "t10k"
    pixels = read_idx_images(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    return torch.from_numpy(pixels.astype(np.float32) / np.float32(255.0))


def blas_library():
    """The BLAS shared library torch's process loaded (Debian's default is the slow netlib one)."""
    try:
        with open(f"/proc/{os.getpid()}/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return sorted(os.path.realpath(x) for x in libs)
    except OSError:
        return []


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpuModel": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torchThreads": torch.get_num_threads(),
        "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY"),
        "blas": blas_library(),
        "loadAverage": [round(v, 2) for v in os.getloadavg()],
    }


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p * len(s)) - 1))]


def step_stats(ms):
    return {
        "count": len(ms),
        "meanMs": round(sum(ms) / len(ms), 3),
        "p50Ms": round(percentile(ms, 0.5), 3),
        "p95Ms": round(percentile(ms, 0.95), 3),
        "minMs": round(min(ms), 3),
        "maxMs": round(max(ms), 3),
    }


# --------------------------------------------------------------------------- evaluation


@torch.no_grad()
def evaluate_elbo(model, images, batch=500):
    rec_all, kl_all = [], []
    for start in range(0, images.shape[0], batch):
        rec, kl = loss_terms(model, images[start : start + batch])
        rec_all.append(rec)
        kl_all.append(kl)
    rec, kl = torch.cat(rec_all), torch.cat(kl_all)
    return {
        "count": int(images.shape[0]),
        "negElbo": (rec + kl).double().mean().item(),
        "reconstruction": rec.double().mean().item(),
        "kl": kl.double().mean().item(),
    }


@torch.no_grad()
def iwae_bound(model, images, k, batch=50):
    """-(IWAE bound), nats per image: log w = log p(x|z) + log p(z) - log q(z|x), z ~ q."""
    bounds = []
    for start in range(0, images.shape[0], batch):
        x = images[start : start + batch]
        n = x.shape[0]
        mu, log_var = model.encode(x)
        mu_t, lv_t = mu.repeat(k, 1), log_var.repeat(k, 1)  # row s*N + i: image i, sample s
        eps = torch.randn_like(mu_t)
        z = mu_t + torch.exp(0.5 * lv_t) * eps
        log_pxz = -reconstruction_nll(x.repeat(k, 1, 1, 1), model.decode_logits(z), model.config)
        log_pz = -0.5 * (z * z + LOG_2PI).sum(1)
        log_qz = -0.5 * (eps * eps + lv_t + LOG_2PI).sum(1)
        log_w = (log_pxz + log_pz - log_qz).reshape(k, n)
        bounds.append(-(torch.logsumexp(log_w, 0) - math.log(k)))
    b = torch.cat(bounds)
    return {"count": int(images.shape[0]), "k": k, "negBound": b.double().mean().item()}


# --------------------------------------------------------------------------- commands


def cmd_reference(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = load_fashion_mnist("train", a.data)[: a.train_count]
    test = load_fashion_mnist("test", a.data)[: a.test_count]
    config = model_config("mlp")
    model = Vae(config)
    opt = make_adam(model)
    log(f"torch reference: {train.shape[0]} training images, {a.epochs} epochs, batch {a.batch}")
    epochs, steps, t0 = [], 0, time.perf_counter()
    for epoch in range(a.epochs):
        e0 = time.perf_counter()
        order = torch.randperm(train.shape[0])
        total, seen = 0.0, 0
        model.train()
        for start in range(0, train.shape[0], a.batch):
            x = train[order[start : start + a.batch]]
            loss, _, _ = train_step(model, opt, x)
            total += loss * x.shape[0]
            seen += x.shape[0]
            steps += 1
        secs = time.perf_counter() - e0
        epochs.append({"epoch": epoch + 1, "trainNegElbo": round(total / seen, 3), "seconds": round(secs, 2)})
        log(f"epoch {epoch + 1}: train -ELBO {total / seen:.2f} nats ({secs:.1f} s)")
    train_seconds = time.perf_counter() - t0
    model.eval()
    e0 = time.perf_counter()
    elbo = evaluate_elbo(model, test)
    eval_seconds = time.perf_counter() - e0
    log(f"test -ELBO {elbo['negElbo']:.3f} nats ({eval_seconds:.1f} s)")
    iwae = None
    if a.iwae_count > 0 and a.iwae_k > 0:
        i0 = time.perf_counter()
        iwae = iwae_bound(model, test[: a.iwae_count], a.iwae_k)
        iwae["seconds"] = round(time.perf_counter() - i0, 2)
        log(f"test -IWAE(k={a.iwae_k}) on {a.iwae_count}: {iwae['negBound']:.3f} nats")
    return {
        "benchmark": "reference-elbo",
        "implementation": "pytorch",
        "config": config,
        "parameters": parameter_count(model),
        "threads": torch.get_num_threads(),
        "adam": {"learningRate": ADAM["lr"], "beta1": ADAM["betas"][0], "beta2": ADAM["betas"][1], "epsilon": ADAM["eps"]},
        "trainImages": int(train.shape[0]),
        "epochs": a.epochs,
        "batch": a.batch,
        "steps": steps,
        "seed": a.seed,
        "trainSeconds": round(train_seconds, 2),
        "imagesPerSec": round(a.epochs * train.shape[0] / train_seconds, 1),
        "perEpoch": epochs,
        "test": elbo,
        "evalSeconds": round(eval_seconds, 2),
        "iwae": iwae,
        "machine": machine(),
    }


def synthetic(config, count, seed):
    g = torch.Generator().manual_seed(seed)
    s, c = config["imageSize"], config["channels"]
    return torch.rand(count, s, s, c, generator=g)


def parse_configs(a):
    if a.config:
        return [("custom", json.loads(a.config))]
    return [(m, model_config(m)) for m in a.model.split(",")]


def cmd_throughput(a):
    results = []
    for name, config in parse_configs(a):
        batch = a.batch or (128 if config["architecture"] == "mlp" else 64)
        for threads in [a.threads]:
            torch.set_num_threads(threads)
            torch.manual_seed(1)
            model = Vae(config)
            opt = make_adam(model)
            batches = [synthetic(config, batch, 100 + i) for i in range(4)]
            w0 = time.perf_counter()
            for i in range(a.warmup):
                train_step(model, opt, batches[i % 4])
            warm_ms = (time.perf_counter() - w0) * 1000
            times, t0 = [], time.perf_counter()
            for i in range(a.steps):
                s0 = time.perf_counter()
                train_step(model, opt, batches[i % 4])
                times.append((time.perf_counter() - s0) * 1000)
                if i >= 1 and time.perf_counter() - t0 > a.max_seconds:
                    break
            secs = time.perf_counter() - t0
            ips = len(times) * batch / secs
            log(f"torch {name} threads={threads}: {len(times)} steps in {secs:.1f} s = {ips:.1f} images/s")
            results.append(
                {
                    "model": name,
                    "threads": threads,
                    "config": config,
                    "batch": batch,
                    "parameters": parameter_count(model),
                    "warmupSteps": a.warmup,
                    "warmupMs": round(warm_ms, 1),
                    "timedSteps": len(times),
                    "requestedSteps": a.steps,
                    "seconds": round(secs, 2),
                    "imagesPerSec": round(ips, 1),
                    "stepMs": step_stats(times),
                }
            )
    return {"benchmark": "train-throughput", "implementation": "pytorch", "results": results, "machine": machine()}


@torch.no_grad()
def cmd_latency(a):
    results = []
    for name, config in parse_configs(a):
        for threads in [a.threads]:
            torch.set_num_threads(threads)
            torch.manual_seed(1)
            model = Vae(config).eval()
            images = synthetic(config, a.encode_count, 5)
            for start in range(0, min(256, a.encode_count), a.encode_batch):  # warm-up
                model.encode(images[start : start + a.encode_batch])
            t0 = time.perf_counter()
            for start in range(0, a.encode_count, a.encode_batch):
                mu, lv = model.encode(images[start : start + a.encode_batch])
                mu.numpy(), lv.numpy()
            enc_secs = time.perf_counter() - t0
            z = torch.randn(1, config["latentDim"], generator=torch.Generator().manual_seed(9))
            for _ in range(a.warmup):
                model.decode(z).numpy()
            times = []
            for _ in range(a.decodes):
                s0 = time.perf_counter()
                model.decode(z).numpy()
                times.append((time.perf_counter() - s0) * 1000)
            ips = a.encode_count / enc_secs
            st = step_stats(times)
            log(f"torch {name} threads={threads}: encode {ips:.0f} images/s; decode p50 {st['p50Ms']} ms p95 {st['p95Ms']} ms")
            results.append(
                {
                    "model": name,
                    "threads": threads,
                    "config": config,
                    "encode": {"images": a.encode_count, "batch": a.encode_batch, "seconds": round(enc_secs, 3), "imagesPerSec": round(ips, 1)},
                    "decodeOne": st,
                }
            )
    return {"benchmark": "inference-latency", "implementation": "pytorch", "results": results, "machine": machine()}


def _load_f32(directory, name, shape):
    data = np.fromfile(os.path.join(directory, name), dtype="<f4")
    return torch.from_numpy(data.copy()).reshape(shape)


def cmd_parity(a):
    """Loads weights, batches and eps written by bench/engine/parity.bench.ts, replays the same
    training steps and reports the per-step losses next to the engine's."""
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.dir, "manifest.json")) as f:
        manifest = json.load(f)
    out = {"benchmark": "parity", "implementation": "pytorch", "models": []}
    for entry in manifest["models"]:
        config = entry["config"]
        model = Vae(config)
        params = dict(model.named_parameters())
        for w in entry["weights"]:
            t = _load_f32(a.dir, w["file"], w["shape"])
            target = params[w["torch"]]
            if w["kind"] == "dense_kernel":  # [in, out] -> [out, in]
                t = t.t()
            elif w["kind"] in ("conv_kernel", "deconv_kernel"):
                # conv: [kh, kw, in, out] -> [out, in, kh, kw];
                # deconv: [kh, kw, out, in] -> ConvTranspose2d [in, out, kh, kw]
                t = t.permute(3, 2, 0, 1)
            if tuple(t.shape) != tuple(target.shape):
                raise SystemExit(f"{w['name']}: shape {tuple(t.shape)} vs torch {tuple(target.shape)}")
            with torch.no_grad():
                target.copy_(t)
        opt = make_adam(model)
        s, c, latent = config["imageSize"], config["channels"], config["latentDim"]
        losses = []
        for step in entry["steps"]:
            x = _load_f32(a.dir, step["batchFile"], [step["batch"], s, s, c])
            eps = _load_f32(a.dir, step["epsFile"], [step["batch"], latent])
            loss, rec, kl = train_step(model, opt, x, eps)
            losses.append({"loss": loss, "reconstruction": rec, "kl": kl})
        out["models"].append({"model": entry["model"], "parameters": parameter_count(model), "steps": losses})
    out["machine"] = machine()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reference", help="train the reference MLP VAE on Fashion-MNIST")
    r.add_argument("--epochs", type=int, default=10)
    r.add_argument("--train-count", type=int, default=60000)
    r.add_argument("--test-count", type=int, default=10000)
    r.add_argument("--iwae-count", type=int, default=1000)
    r.add_argument("--iwae-k", type=int, default=100)
    r.add_argument("--batch", type=int, default=128)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--data", default=FASHION_MNIST_DIR)
    t = sub.add_parser("throughput", help="training images/s on synthetic batches")
    t.add_argument("--model", default="mlp,conv28,conv64")
    t.add_argument("--config", help="a VaeConfig as JSON (instead of --model)")
    t.add_argument("--threads", type=int, default=2, help="torch, OpenMP and OpenBLAS threads")
    t.add_argument("--batch", type=int, default=0, help="default: 128 for mlp, 64 for conv")
    t.add_argument("--warmup", type=int, default=3)
    t.add_argument("--steps", type=int, default=30)
    t.add_argument("--max-seconds", type=float, default=60)
    lat = sub.add_parser("latency", help="batched encode throughput and single-latent decode latency")
    lat.add_argument("--model", default="conv28,conv64")
    lat.add_argument("--config", help="a VaeConfig as JSON (instead of --model)")
    lat.add_argument("--threads", type=int, default=2, help="torch, OpenMP and OpenBLAS threads")
    lat.add_argument("--encode-count", type=int, default=2048)
    lat.add_argument("--encode-batch", type=int, default=128)
    lat.add_argument("--warmup", type=int, default=20)
    lat.add_argument("--decodes", type=int, default=200)
    q = sub.add_parser("parity", help="replay the engine's training steps from exported weights")
    q.add_argument("--dir", required=True)
    q.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    run = {"reference": cmd_reference, "throughput": cmd_throughput, "latency": cmd_latency, "parity": cmd_parity}
    result = run[a.command](a)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
