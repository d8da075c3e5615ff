"""gankit: the tested helpers behind the GAN curriculum's notebooks.

`import gankit` configures the GPUs once (memory growth) and prints a one-line device report
(set `GANKIT_QUIET=1` to silence it).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up noise out

from gankit import runtime  # noqa: E402

runtime.configure_gpus()

from gankit import (  # noqa: E402
    checkpoints,
    checks,
    data,
    inversion,
    judges,
    live,
    losses,
    metrics,
    models,
    plots,
    results,
    sources,
    tiles,
    training,
    translation,
)
from gankit.runtime import (  # noqa: E402
    budget,
    device_report,
    on_gpu,
    run_dir,
    seed,
    smoke,
    strategy,
)

__version__ = "0.2.0"
__all__ = ["checkpoints", "checks", "data", "inversion", "judges", "live", "losses", "metrics",
           "models", "plots", "results", "sources", "tiles", "training", "translation",
           "runtime", "budget", "device_report", "on_gpu", "run_dir", "seed", "smoke", "strategy"]

if os.environ.get("GANKIT_QUIET", "").lower() not in ("1", "true", "yes"):
    print(runtime.device_report())
