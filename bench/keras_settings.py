"""Seconds per epoch of the book's Keras models under the settings worth trying, in one run.

Each setting runs in its own process, because the backend (``KERAS_BACKEND``), oneDNN
(``TF_ENABLE_ONEDNN_OPTS``) and TensorFlow's thread pools are fixed when a process first
imports them. For each setting and workload the child trains a fresh seeded model twice
(the second run repeats the first from the same seed) and reports:

- the best seconds per epoch after the first (the first epoch also traces and compiles);
- whether the two seeded runs end with bit-identical weights (the book's reproducibility
  check needs that);

and the parent prints, per workload, the ratio of every setting to ``today`` (the book's
settings before this benchmark: TensorFlow, oneDNN off, op determinism on, NumPy arrays,
no XLA, one step per call), with the NumPy network's epoch on the same data beside the
dense workloads (the ratio the backprop race reports). A setting that crashes or is not
installed (JAX is not in the lock: ``pip install jax`` to try it) is listed with its error.

The book adopted ``spe100+onednn`` (``dlbook.keras_models.STEPS_PER_EXECUTION`` and
``dlbook.repro.import_tensorflow``): on a 2-core AMD EPYC it ran the dense network's epoch
in 0.40x today's time at batch 20 and 0.65x at batch 128, and the CNN's in 0.69x, with
identical weights from two seeded runs. XLA gained about a tenth more on the CNN but lost
at batch 20, and compiles every new model and every new prediction graph, which the book
builds dozens of; fewer TensorFlow threads helped only the dense network and cost the CNN;
a ``tf.data`` pipeline did not beat NumPy arrays; Keras's JAX backend (jax 0.10.2,
compiled) was 2.8x slower than today on the CNN, so JAX is not in the lock.

Workloads: the book's dense network (784-128-128-128-10, Adam, sparse cross-entropy) at
batch 20 and 128, and the CNN chapter's network (conv 32 and 64 filters of 5x5, dense 128,
dropout 0.25) at its batch of 128.

Usage::

    .venv/bin/python bench/keras_settings.py                        # every setting, 12,000 images
    .venv/bin/python bench/keras_settings.py --settings today xla   # a few
    .venv/bin/python bench/keras_settings.py --samples 60000 --epochs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

# name -> what differs from today's settings
SETTINGS: dict[str, dict] = {
    "today": {},
    "xla": {"jit_compile": True},
    "spe100": {"steps_per_execution": 100},
    "xla+spe100": {"jit_compile": True, "steps_per_execution": 100},
    "threads 2/1": {"intra": 2, "inter": 1},
    "threads 1/1": {"intra": 1, "inter": 1},
    "onednn": {"onednn": True},
    "onednn+xla": {"onednn": True, "jit_compile": True},
    "tf.data": {"pipeline": "tf.data"},
    "xla+tf.data": {"jit_compile": True, "pipeline": "tf.data"},
    "spe100+threads 1/1": {"steps_per_execution": 100, "intra": 1, "inter": 1},
    "spe100+onednn": {"steps_per_execution": 100, "onednn": True},
    "spe100+onednn+threads 1/1": {
        "steps_per_execution": 100,
        "onednn": True,
        "intra": 1,
        "inter": 1,
    },
    "onednn+xla+spe100": {"onednn": True, "jit_compile": True, "steps_per_execution": 100},
    "onednn+threads 1/1": {"onednn": True, "intra": 1, "inter": 1},
    "jax": {"backend": "jax", "jit_compile": True},
    "jax+spe100": {"backend": "jax", "jit_compile": True, "steps_per_execution": 100},
}
WORKLOADS = {"dense b20": ("dense", 20), "dense b128": ("dense", 128), "cnn b128": ("cnn", 128)}


def _child(setting: dict, workload: str, samples: int, epochs: int) -> dict:
    """Train one workload twice under one setting (in this fresh process); return its figures."""
    os.environ["KERAS_BACKEND"] = setting.get("backend", "tensorflow")
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if setting.get("onednn") else "0"
    import numpy as np

    from dlbook.repro import import_tensorflow, seed_everything

    tf = import_tensorflow()
    if "intra" in setting:
        tf.config.threading.set_intra_op_parallelism_threads(setting["intra"])
        tf.config.threading.set_inter_op_parallelism_threads(setting["inter"])
    import keras

    from dlbook.cnn import build_cnn
    from dlbook.data import load_mnist
    from dlbook.keras_models import build_dense_network
    from dlbook.preprocess import flatten_images, scale_images

    kind, batch = WORKLOADS[workload]
    (x_train, y_train), _ = load_mnist()
    x = scale_images(x_train[:samples])
    x = flatten_images(x) if kind == "dense" else x[..., None]
    y = y_train[:samples].astype(np.int64)

    def run() -> tuple[float, list]:
        seed_everything(0)
        if kind == "dense":
            model = build_dense_network((128, 128, 128))
        else:
            model = build_cnn((32, 64), kernel_size=5, dense_units=128, dense_dropout=0.25)
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=setting.get("jit_compile", False),
            steps_per_execution=setting.get("steps_per_execution", 1),
        )
        if setting.get("pipeline") == "tf.data":
            data = tf.data.Dataset.from_tensor_slices((x, y))
            data = data.shuffle(len(x), seed=0).batch(batch).prefetch(tf.data.AUTOTUNE)
            fit_args = {"x": data}
        else:
            fit_args = {"x": x, "y": y, "batch_size": batch, "shuffle": True}
        seconds = []
        for _ in range(epochs):
            start = time.perf_counter()
            model.fit(**fit_args, epochs=1, verbose=0)
            seconds.append(time.perf_counter() - start)
        return min(seconds[1:] or seconds), [np.asarray(w) for w in model.get_weights()]

    first, weights_a = run()
    second, weights_b = run()
    identical = all(np.array_equal(a, b) for a, b in zip(weights_a, weights_b, strict=True))
    return {"seconds": min(first, second), "identical": identical}


def _numpy_seconds(workload: str, samples: int, epochs: int) -> float | None:
    """Best seconds per epoch of the NumPy network on the same data (dense workloads)."""
    kind, batch = WORKLOADS[workload]
    if kind != "dense":
        return None
    import numpy as np

    from dlbook import numpy_nn
    from dlbook.data import load_mnist
    from dlbook.optim import Adam
    from dlbook.preprocess import flatten_images, scale_images
    from dlbook.timing import blas_threads

    (x_train, y_train), _ = load_mnist()
    x = flatten_images(scale_images(x_train[:samples]))
    y = y_train[:samples].astype(np.int64)
    net = numpy_nn.init_mlp((784, 128, 128, 128, 10), seed=0)
    with blas_threads(1):
        history = numpy_nn.train(
            net, x, y, epochs=epochs, batch_size=batch, optimizer=Adam(1e-3), seed=0
        )
    return min(history["epoch_seconds"])


def main(argv: list[str] | None = None) -> None:
    """Run every (setting, workload) in a child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--samples", type=int, default=12_000, help="training images used")
    parser.add_argument(
        "--epochs", type=int, default=2, help="epochs per run (the best after the first counts)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.epochs < 1 or not 1 <= args.samples <= 60_000:
        parser.error("--epochs must be >= 1 and --samples in [1, 60000]")
    if args.child:  # one (setting, workload) in this process; print its figures as JSON
        setting, workload = json.loads(args.child)
        print(json.dumps(_child(SETTINGS[setting], workload, args.samples, args.epochs)))
        return
    if "today" not in args.settings:
        args.settings.insert(0, "today")
    os.environ["DLBOOK_QUIET"] = "1"  # no progress lines from the NumPy runs
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    print(f"{args.samples:,} images, best epoch of {args.epochs} per run, two seeded runs each")
    for workload in args.workloads:
        numpy_s = _numpy_seconds(workload, args.samples, args.epochs)
        results = {}
        for setting in args.settings:
            child = [sys.executable, __file__, "--child", json.dumps([setting, workload])]
            child += ["--samples", str(args.samples), "--epochs", str(args.epochs)]
            done = subprocess.run(child, capture_output=True, text=True, env=env, check=False)
            lines = done.stdout.strip().splitlines()
            if done.returncode != 0 or not lines:
                error = (done.stderr.strip().splitlines() or ["no output"])[-1]
                results[setting] = {"error": error[:90]}
            else:
                results[setting] = json.loads(lines[-1])
        base = results["today"].get("seconds")
        print(f"\n{workload}" + (f" (NumPy network: {numpy_s:.3f} s/epoch)" if numpy_s else ""))
        header = f"{'setting':<26} {'s/epoch':>8} {'x today':>8} {'identical':>10}"
        print(header + (f" {'NumPy/Keras':>12}" if numpy_s else ""))
        for setting, result in results.items():
            if "error" in result:
                print(f"{setting:<26} failed: {result['error']}")
                continue
            t = result["seconds"]
            line = f"{setting:<26} {t:>8.3f} {t / base:>8.3f} {result['identical']!s:>10}"
            print(line + (f" {numpy_s / t:>12.3f}" if numpy_s else ""))
    print("\ntarget: NumPy/Keras >= 0.5 at batch 20 (Keras's epoch within 2x the NumPy network's)")


if __name__ == "__main__":
    main()
