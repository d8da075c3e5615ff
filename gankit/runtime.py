"""Where gankit runs: GPU memory growth, the device report, seeds, smoke mode, strategies, and
where a run keeps its files (`run_dir`: locally, or on Google Drive in Colab).

`configure_gpus()` runs once when `gankit` is imported. It is safe to call again, and safe
after TensorFlow has already created tensors (then it leaves the devices as they are instead of
raising "Physical devices cannot be modified after being initialized").
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import tensorflow as tf

from gankit import checks

_GPUS_CONFIGURED = False
_TRUE = {"1", "true", "yes", "on"}


def configure_gpus() -> list:
    """Turn on memory growth for every GPU, once; return the GPUs found.

    Memory growth lets several notebooks share one GPU instead of the first one taking all of
    its memory. `TF_FORCE_GPU_ALLOW_GROWTH=false` keeps TensorFlow's default (take it all).
    """
    global _GPUS_CONFIGURED
    gpus = tf.config.list_physical_devices("GPU")
    if _GPUS_CONFIGURED:
        return gpus
    _GPUS_CONFIGURED = True
    if os.environ.get("TF_FORCE_GPU_ALLOW_GROWTH", "").lower() == "false":
        return gpus
    for gpu in gpus:
        try:
            if not tf.config.experimental.get_memory_growth(gpu):
                tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            # TensorFlow already initialised this GPU (a tensor exists): the setting can no
            # longer change, and the GPU works as it is.
            pass
    return gpus


def device_report() -> str:
    """One line: versions, the accelerator in use, and a hint when there is none."""
    head = f"gankit · TensorFlow {tf.__version__} · Keras {keras.__version__}"
    if on_gpu():
        return f"{head} · {device_name()}"
    hint = (
        " (in Colab: Runtime → Change runtime type → T4 GPU)" if in_colab() else
        " (training runs on the CPU; a GPU makes the full-length runs much faster)"
    )
    return f"{head} · no GPU, {os.cpu_count()} CPU cores{hint}"


def on_gpu() -> bool:
    """True when TensorFlow sees a GPU or a TPU: the image notebooks then use the book's sizes."""
    return bool(tf.config.list_physical_devices("GPU") or tf.config.list_logical_devices("TPU"))


def device_name() -> str:
    """The device training runs on, in words: "GPU (Tesla T4)", "TPU (8 cores)", "CPU (2 cores)"."""
    tpus = tf.config.list_logical_devices("TPU")
    if tpus:
        return f"TPU ({len(tpus)} cores)"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        more = f" ×{len(gpus)}" if len(gpus) > 1 else ""
        return f"GPU ({details.get('device_name', gpus[0].name)}{more})"
    return f"CPU ({os.cpu_count()} cores)"


def in_colab() -> bool:
    """True inside Google Colab."""
    import sys

    return "google.colab" in sys.modules


def smoke() -> bool:
    """True when `GANKIT_SMOKE` is set (`make check` sets it): tiny data, a few steps."""
    return os.environ.get("GANKIT_SMOKE", "").strip().lower() in _TRUE


def budget(full, smoke_value):
    """The book's value `full`, or `smoke_value` in smoke mode.

    Used in every notebook's parameters cell: `EPOCHS = gankit.budget(300, 2)`.
    """
    return smoke_value if smoke() else full


def seed(value: int = 0, deterministic: bool = False) -> None:
    """Seed Python, NumPy and TensorFlow (`keras.utils.set_random_seed`).

    On a CPU the same seed already gives the same losses and samples, run after run.
    deterministic: also call `tf.config.experimental.enable_op_determinism()`, which makes GPU
        ops (cuDNN convolutions, scatter/segment reductions, which otherwise add floats in
        varying order) deterministic too, at some cost in speed; ops without a deterministic
        GPU kernel then raise an error instead of running. It cannot be turned off again in
        the same process. Even then, results differ between GPU models and library versions,
        and between CPU and GPU.
    """
    keras.utils.set_random_seed(checks.non_negative_int(value, "seed"))
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def strategy() -> tf.distribute.Strategy:
    """The distribution strategy for this machine.

    A TPU (Colab TPU runtime) → `TPUStrategy`; several GPUs → `MirroredStrategy`; otherwise
    the default strategy (one device). Build models and optimizers under `strategy().scope()`.
    """
    if os.environ.get("COLAB_TPU_ADDR") or os.environ.get("TPU_NAME"):
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def cache_dir():
    """Where gankit keeps what it trains once and reuses (evaluation classifiers, results).

    `GANKIT_CACHE_DIR`, or `~/.cache/gankit` (`run_dir(..., drive=True)` moves it to Drive).
    """
    path = Path(os.environ.get("GANKIT_CACHE_DIR") or Path.home() / ".cache" / "gankit")
    path.mkdir(parents=True, exist_ok=True)
    return path


DRIVE_MOUNT = "/content/drive"  # where Colab mounts Google Drive; "MyDrive" is the user's Drive
DRIVE_FOLDER = "gankit"          # gankit's folder in it


def run_dir(name: str, drive: bool = False) -> Path:
    """The absolute folder where notebook `name` keeps its checkpoints, grids and saved models.

    Locally: `runs/<name>` under the current folder (`runs/smoke/<name>` in smoke mode), or under
    `GANKIT_RUNS_DIR` when it is set.
    drive: in Colab, mount Google Drive (Colab asks for permission once) and keep the run folder
        in `MyDrive/gankit/runs/<name>` and gankit's caches (`cache_dir()`: the trained judges and
        feature networks) in `MyDrive/gankit/cache`, so that after Colab recycles the VM the
        notebook resumes from its last checkpoint instead of starting over. Outside Colab the
        folders are on disk already: it says so and keeps them local.
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"run_dir: expected a folder name such as '10_human_faces', got {name!r}")
    kind = "smoke" if smoke() else ""
    if drive and in_colab():
        from google.colab import drive as colab_drive

        mount = Path(DRIVE_MOUNT)
        if not (mount / "MyDrive").is_dir():
            colab_drive.mount(str(mount))
        base = mount / "MyDrive" / DRIVE_FOLDER
        if not os.environ.get("GANKIT_CACHE_DIR"):
            os.environ["GANKIT_CACHE_DIR"] = str(base / "cache")
        path = base / "runs" / kind / name
        print(f"Run folder on Google Drive: {path} (caches: {cache_dir()}); it survives a "
              "recycled VM.")
    else:
        if drive:
            print("DRIVE = True keeps the run on Google Drive in Colab only; here the run folder "
                  "is on this machine's disk and stays after a restart.")
        root = Path(os.environ.get("GANKIT_RUNS_DIR") or "runs").expanduser().absolute()
        path = root / kind / name
    path.mkdir(parents=True, exist_ok=True)
    return path
