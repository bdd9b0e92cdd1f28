"""Seconds per epoch: the NumPy MLP against Keras, at batch 20 and 128, and the matmul peak.

The network is the book's 784-128-128-128-10 ReLU classifier trained with Adam
(learning rate 1e-3) on MNIST, in float32 on both sides. One run prints:

- the float32 matmul throughput of this machine, measured on the spot
  (best of several 2048 x 2048 products);
- for each batch size, the best seconds per epoch of NumPy and of Keras and their ratio;
- the achieved GFLOP/s of the NumPy MLP (about 6 x parameters x samples per
  epoch: 2 for the forward pass, 4 for the backward pass) as a % of the peak.

Targets: Keras's epoch within 2 x the NumPy network's at batch 20 (NumPy/Keras >= 0.5),
with the book's Keras settings (``bench/keras_settings.py`` compares the alternatives);
NumPy >= 60 % of the peak at batch 128.
NumPy's OpenBLAS runs on ``--threads`` threads (default 1), and the peak is measured
with the same number, so the percentage compares like with like; Keras keeps
TensorFlow's own thread pools. On a shared machine these figures are noisy; run it
on an idle one.

Usage::

    .venv/bin/python bench/numpy_vs_keras.py                 # full MNIST, 3 epochs each
    .venv/bin/python bench/numpy_vs_keras.py --samples 6000 --epochs 1   # a quick look
    .venv/bin/python bench/numpy_vs_keras.py --threads 2                 # BLAS on 2 threads
"""

from __future__ import annotations

import argparse

import numpy as np

from dlbook import numpy_nn
from dlbook.data import load_mnist
from dlbook.keras_models import (
    build_dense_network,
    compile_classifier,
    train_model,
    training_settings,
)
from dlbook.optim import Adam
from dlbook.preprocess import flatten_images, scale_images
from dlbook.repro import import_tensorflow
from dlbook.timing import blas_threads, matmul_gflops

SIZES = (784, 128, 128, 128, 10)


def numpy_epoch_seconds(x, y, batch_size: int, epochs: int) -> tuple[float, int]:
    """Best seconds per epoch of the NumPy MLP, and its number of parameters."""
    net = numpy_nn.init_mlp(SIZES, seed=0)
    history = numpy_nn.train(
        net, x, y, epochs=epochs, batch_size=batch_size, optimizer=Adam(1e-3), seed=0
    )
    return min(history["epoch_seconds"]), net.num_params


def keras_epoch_seconds(x, y, batch_size: int, epochs: int) -> float:
    """Best seconds per epoch of the same network in Keras (Adam, sparse cross-entropy),
    compiled with the book's training settings (``dlbook.keras_models.training_settings``)."""
    model = compile_classifier(build_dense_network(), loss="sparse_categorical_crossentropy")
    history = train_model(model, x, y, epochs=epochs, batch_size=batch_size, seed=0)
    return min(history["epoch_seconds"])


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (best is kept)")
    parser.add_argument("--samples", type=int, default=60_000, help="training rows used")
    parser.add_argument("--batches", type=int, nargs="+", default=[20, 128], help="batch sizes")
    parser.add_argument("--threads", type=int, default=1, help="OpenBLAS threads for NumPy")
    args = parser.parse_args(argv)
    if args.epochs < 1 or not 1 <= args.samples <= 60_000 or args.threads < 1:
        parser.error("--epochs and --threads must be >= 1 and --samples in [1, 60000]")
    import_tensorflow()  # before anything imports keras: keeps TensorFlow's C++ log quiet

    (x_train, y_train), _ = load_mnist()
    x = flatten_images(scale_images(x_train[: args.samples]))
    y = y_train[: args.samples].astype(np.int64)

    default_peak = matmul_gflops(repeats=5)
    with blas_threads(args.threads) as default_threads:
        peak = matmul_gflops(repeats=5)
    print(
        f"float32 2048x2048 matmul: {peak:.1f} GFLOP/s on {args.threads} BLAS thread(s) "
        f"({default_peak:.1f} GFLOP/s on the default {default_threads})"
    )
    print(f"{args.samples:,} samples, best of {args.epochs} epoch(s) per run")
    rows = []
    for batch in args.batches:
        with blas_threads(args.threads):
            t_numpy, n_params = numpy_epoch_seconds(x, y, batch, args.epochs)
            peak = max(peak, matmul_gflops(repeats=5))  # best seen: the machine may be busy
        t_keras = keras_epoch_seconds(x, y, batch, args.epochs)
        rows.append((batch, t_numpy, t_keras, 6 * n_params * len(x) / t_numpy / 1e9))
    print(f"float32 matmul peak, best measured during the run: {peak:.1f} GFLOP/s")
    print(
        f"{'batch':>6} {'NumPy s/ep':>11} {'Keras s/ep':>11} {'NumPy/Keras':>12} "
        f"{'NumPy GFLOP/s':>14} {'% of peak':>10}"
    )
    for batch, t_numpy, t_keras, gflops in rows:
        print(
            f"{batch:>6} {t_numpy:>11.3f} {t_keras:>11.3f} {t_numpy / t_keras:>12.3f} "
            f"{gflops:>14.1f} {gflops / peak:>10.1%}"
        )
    print("Keras settings: " + "; ".join(f"{k} {v}" for k, v in training_settings().items()))
    print("targets: NumPy/Keras >= 0.5 at batch 20; NumPy >= 60 % of peak at batch 128")


if __name__ == "__main__":
    main()
