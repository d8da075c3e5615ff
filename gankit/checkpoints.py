"""Checkpoints that let training continue after a restart, and a guard against divergence.

A `Checkpoint` holds everything a GAN run needs to go on as if it had never stopped: G and D,
both optimizers, the noise generator's RNG state (and every Dropout's), the fixed latent vectors
of the sample grid, the epoch and step counters and the loss history. `train(...,
checkpoint=ckpt)` restores the latest one before it starts and saves as it goes, so re-running
a notebook after a kernel restart (or a Colab disconnect) continues where it stopped;
`Checkpoint(..., fresh=True)` starts over. `ckpt.callback()` does the same for `fit()`.

`Guard` stops a run whose losses become NaN/Inf, or whose discriminator wins outright for many
steps, with `TrainingDiverged`; the last good checkpoint stays on disk.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from gankit import checks


@dataclass
class History:
    """What `train` records: per-epoch means, per-step values and seconds per epoch."""

    epoch: dict = field(default_factory=dict)
    step: dict = field(default_factory=dict)
    seconds: list = field(default_factory=list)

    def last(self, name):
        return self.epoch[name][-1]


def build_optimizers(*pairs, strategy=None):
    """Create the slots of each `(optimizer, what it updates)` pair that has none yet: a model,
    a list of models, or a list of variables.

    Keras creates them lazily at the first update; creating them now puts them under the
    strategy's scope (where the model's variables live), gives a restored checkpoint's values a
    home, and spares `tf.function` a second trace of the step (a first call that creates
    variables is traced twice, which doubles the time of a big model's first step).
    """
    with (strategy or tf.distribute.get_strategy()).scope():
        for optimizer, variables in pairs:
            if not optimizer.built:
                optimizer.build(_trainable(variables))


def _trainable(of):
    """The trainable variables of a model, of a list of models, or a list of variables."""
    if hasattr(of, "trainable_variables"):
        return of.trainable_variables
    return [v for item in of for v in getattr(item, "trainable_variables", [item])]


class TrainingDiverged(FloatingPointError):
    """Training stopped by the `Guard`. `checkpoint` is the last good one (a path, or None)."""

    def __init__(self, message, checkpoint=None):
        super().__init__(message)
        self.checkpoint = checkpoint


class CheckpointMismatch(ValueError):
    """The checkpoints in a run folder do not fit the models being trained (or none is readable)."""

    def __init__(self, directory, error, unreadable=False):
        first = str(error).strip().splitlines()[0][:300] if str(error).strip() else repr(error)
        what = ("cannot be read" if unreadable else
                "was written by a different model (another width, latent size, layer count or "
                "dataset shape) than the one built now")
        super().__init__(
            f"The checkpoint in {directory} {what}: {first}\n"
            "To start this model from scratch, set FRESH = True in the parameters cell (it "
            "deletes that folder's checkpoints), or give the run another folder (RUN_DIR), "
            "then run the notebook again. To continue the old run instead, put the parameters "
            "back to the values it was trained with.")
        self.directory = Path(directory)


class Guard:
    """Stop training that has gone wrong, saying what the likely cause is.

    - any loss NaN or infinite → stop at once;
    - D's loss below `d_loss_floor` for `patience` steps in a row → stop: D tells every sample
      apart and G gets almost no gradient (mode collapse, or D far stronger than G).
      Some runs pass through such a phase and recover (notebook 02 does): raise `patience`, or
      pass `patience=None` to turn this check off.
    """

    def __init__(self, d_loss_floor: float = 1e-4, patience: int | None = 2000):
        checks.positive_int(patience, "patience", none=True)
        self.d_loss_floor, self.patience = float(d_loss_floor), patience
        self.streak = 0  # steps in a row with D's loss under the floor

    def check(self, logs: dict, where: str, last_good=None) -> None:
        """`logs` maps a loss name to this stretch's per-step values (NumPy)."""
        kept = f" The last good checkpoint is kept: {last_good}." if last_good else ""
        for name, values in logs.items():
            bad = values[~np.isfinite(values)]
            if bad.size:
                raise TrainingDiverged(
                    f"{where}: {name} became {bad[0]}. Training diverged. Likely causes: a "
                    "learning rate too high (try 10x lower), data not scaled to the generator's "
                    "output range (tanh → [-1, 1]), or a network without normalisation "
                    "(add BatchNormalization)." + kept, last_good)
        if self.patience is None or "d_loss" not in logs:
            return
        for value in logs["d_loss"]:
            self.streak = self.streak + 1 if value < self.d_loss_floor else 0
            if self.streak >= self.patience:
                raise TrainingDiverged(
                    f"{where}: D's loss has stayed below {self.d_loss_floor:g} for "
                    f"{self.patience} steps: D wins every time and G gets no gradient to learn "
                    "from. Likely causes: mode collapse, or D much stronger than G (lower D's "
                    "learning rate, add label smoothing, give G more steps). If this run is "
                    "known to recover, pass guard=Guard(patience=None)." + kept, last_good)


def weights_finite(*models) -> bool:
    """True when every variable of the models is finite."""
    return all(bool(tf.reduce_all(tf.math.is_finite(v))) for m in models for v in m.variables
               if "float" in str(v.dtype))


class Checkpoint:
    """Save and restore a training run in `directory` (`tf.train.Checkpoint` under the hood).

    A GAN: `Checkpoint(directory, generator, discriminator, g_optimizer, d_optimizer, ...)`.
    Anything else, by name: `models` ({name: model}), `optimizers` ({name: (optimizer, the model
    or list of models whose trainable variables it updates)}) and `variables` ({name: a variable
    or a list of them}), e.g. CycleGAN's four networks, its two optimizers and its image pools.
    Every model's RNG states (Dropout, noise layers) are saved too.

    every_epochs: save after every that many epochs, and after the last one (a save takes
        about 0.1 s: for epochs of a second or less, save every few epochs).
    every_steps: also save every that many steps inside an epoch. Mid-epoch saves let long
        epochs survive a disconnect.
    keep: how many checkpoints to keep on disk.
    fresh: delete what `directory` holds and start over.
    noise: the `training.Noise` whose RNG state is saved; sample_grid: a `SampleGrid` whose fixed
        latent vectors are saved; a restore puts them back and reloads its frames so far.
    """

    def __init__(self, directory, generator=None, discriminator=None, g_optimizer=None,
                 d_optimizer=None, *, models=None, optimizers=None, variables=None, noise=None,
                 sample_grid=None, every_epochs: int = 1, every_steps: int | None = None,
                 keep: int = 2, fresh: bool = False):
        checks.positive_int(every_epochs, "every_epochs")
        checks.positive_int(every_steps, "every_steps", none=True)
        gan = (generator, discriminator, g_optimizer, d_optimizer)
        if any(x is not None for x in gan):
            if any(x is None for x in gan) or models or optimizers:
                raise ValueError("Checkpoint: pass a GAN's generator, discriminator, g_optimizer "
                                 "and d_optimizer, or models= and optimizers= by name, not both")
            models = dict(generator=generator, discriminator=discriminator)
            optimizers = dict(g_optimizer=(g_optimizer, generator),
                              d_optimizer=(d_optimizer, discriminator))
        if not models:
            raise ValueError("Checkpoint: nothing to save: pass the models (and optimizers)")
        self.directory = Path(directory)
        if fresh and self.directory.exists():
            shutil.rmtree(self.directory)
        self.models = tuple(models.values())
        self.updates = dict(optimizers or {})  # name → (optimizer, what it updates)
        self.optimizers = tuple(opt for opt, _ in self.updates.values())
        self.every_epochs, self.every_steps = every_epochs, every_steps
        self.sample_grid = sample_grid
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False)  # steps done in the epoch
        self.history = tf.Variable("", dtype=tf.string, trainable=False)
        objects = dict(models, **{name: opt for name, (opt, _) in self.updates.items()},
                       **(variables or {}), epoch=self.epoch, step=self.step,
                       history=self.history,
                       rng=[v for m in self.models for v in m.variables if "seed_generator" in
                            v.path])
        if noise is not None:  # (saved as "latent_rng": the name checkpoints have had)
            objects["latent_rng"] = noise.seed_generator.state
        if sample_grid is not None:
            self.grid_z = tf.Variable(sample_grid.z, trainable=False)
            objects["grid_z"] = self.grid_z
        self.checkpoint = tf.train.Checkpoint(**objects)
        self.manager = tf.train.CheckpointManager(self.checkpoint, self.directory, max_to_keep=keep)

    @classmethod
    def of(cls, gan, directory, **kwargs) -> Checkpoint:
        """A checkpoint of a compiled `training.GAN` model (for `fit()`)."""
        return cls(directory, gan.generator, gan.discriminator, gan.g_optimizer, gan.d_optimizer,
                   noise=gan.noise, **kwargs)

    @property
    def latest(self) -> str | None:
        """The path of the newest checkpoint, or None."""
        return self.manager.latest_checkpoint

    def restore(self):
        """Load the newest checkpoint. Returns `(epoch, step, history)`, or None if there is none.

        `epoch` is the number of finished epochs, `step` the steps done in the next one.
        A newest checkpoint that cannot be read (a save cut short by a disconnect, a truncated
        file) is skipped for the one before it, with a message. A checkpoint written by other
        models (another width, latent size or layer count in the same folder) raises
        `CheckpointMismatch`, which says what to do.
        """
        if self.latest is None:
            return None
        build_optimizers(*self.updates.values())
        saved = list(self.manager.checkpoints)  # oldest first
        for index in range(len(saved) - 1, -1, -1):
            path = saved[index]
            try:
                self.checkpoint.restore(path).assert_existing_objects_matched()
                break
            except (ValueError, AssertionError) as error:  # shapes or objects do not match
                raise CheckpointMismatch(self.directory, error) from None
            except (tf.errors.OpError, IndexError) as error:  # a file cut short: unreadable
                reason = str(error).strip().splitlines()[0][:200]
                print(f"The checkpoint {path} cannot be read ({type(error).__name__}: {reason})"
                      + (f"; trying the one before it, {saved[index - 1]}." if index else "."))
        else:
            raise CheckpointMismatch(self.directory, "no checkpoint in it can be read",
                                     unreadable=True)
        history = History(**json.loads(self.history.numpy().decode()))
        epoch, step = int(self.epoch.numpy()), int(self.step.numpy())
        if self.sample_grid is not None:
            self.sample_grid.z = self.grid_z.numpy()
            self.sample_grid.on_resume(epoch)  # its frames so far come back from disk
        print(f"Resumed from {path}: {epoch} epochs and {step} steps done (to start over: "
              "FRESH = True in the parameters, fresh=True here).")
        return epoch, step, history

    def save(self, epoch: int, step: int, history) -> str:
        """Save now: `epoch` epochs finished and `step` steps of the next one done."""
        if not weights_finite(*self.models):
            raise TrainingDiverged(
                f"epoch {epoch + 1}, step {step}: a weight became NaN or infinite. Training "
                "diverged: lower the learning rate. The last good checkpoint is kept: "
                f"{self.latest}.", self.latest)
        self.epoch.assign(epoch)
        self.step.assign(step)
        self.history.assign(json.dumps(asdict(history)))
        return self.manager.save(checkpoint_number=None)

    def callback(self) -> keras.callbacks.Callback:
        """A `fit()` callback: restore before training, save at the end of every epoch."""
        return _FitCheckpoint(self)


class _FitCheckpoint(keras.callbacks.Callback):
    """Resume `fit()` from a `Checkpoint` (whole epochs) and save after each epoch.

    `history` holds the per-epoch logs and seconds of every epoch, those before a restart
    included.
    """

    def __init__(self, checkpoint: Checkpoint):
        super().__init__()
        self.ckpt, self.history = checkpoint, History()

    def on_train_begin(self, logs=None):
        state = self.ckpt.restore()
        if state is not None:
            epoch, _, self.history = state
            self.model._initial_epoch = epoch  # what Keras' BackupAndRestore sets, too

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            self.history.epoch.setdefault(name, []).append(float(value))
        self.history.seconds.append(time.perf_counter() - self.start)
        done = epoch + 1
        if done % self.ckpt.every_epochs == 0 or done == self.params.get("epochs"):
            self.ckpt.save(done, 0, self.history)
