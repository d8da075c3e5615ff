"""Training: the GAN step written with `tf.GradientTape`, a `GAN` model for `fit()`, a loop.

One GAN iteration is two updates:

1. **Discriminator**: real samples should score 1, generated samples 0. Only D's weights change.
2. **Generator**: generate, let D score the samples, and change only G's weights so that D
   scores them higher. D is "frozen" simply because its variables are not in the update.

`discriminator_update` and `generator_update` are those two updates, plain tape → loss →
gradient → apply code, and `alternating_step` is the book's iteration over them. Both training
styles below (the step `make_train_step` returns, and `GAN.train_step` driven by `fit()`) run
exactly these functions, a step's `lesson` (`live.source(step)` shows it), and add from outside
what is not the lesson: compilation, the first-batch checks, distribution and loss scaling.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from gankit import checks, live
from gankit.checkpoints import Guard, History, build_optimizers  # noqa: F401  (public here too)
from gankit.losses import BCE, check_outputs
from gankit.models import check_pair, io_shapes, latent_dim, output_range
from gankit.runtime import smoke


class Noise:
    """G's noise: `dim` numbers from N(0, scale²) ("normal") or U(−scale, scale) ("uniform")."""

    def __init__(self, dim: int, dist: str = "normal", scale: float = 1.0, seed: int | None = None):
        checks.positive_int(dim, "Noise dim")
        checks.choice(dist, ("normal", "uniform"), "Noise dist")
        checks.positive_number(scale, "Noise scale")
        self.dim, self.dist, self.scale = dim, dist, float(scale)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def __call__(self, batch_size):
        shape = (batch_size, self.dim)
        if self.dist == "normal":
            return keras.random.normal(shape, stddev=self.scale, seed=self.seed_generator)
        return keras.random.uniform(shape, -self.scale, self.scale, seed=self.seed_generator)

    def fixed(self, n: int, seed: int = 0) -> np.ndarray:
        """`n` latent vectors that stay the same between calls (for sample grids)."""
        rng = np.random.default_rng(seed)
        if self.dist == "normal":
            z = rng.normal(0.0, self.scale, size=(n, self.dim))
        else:
            z = rng.uniform(-self.scale, self.scale, size=(n, self.dim))
        return z.astype("float32")

    def __repr__(self):
        return f"Noise(dim={self.dim}, dist={self.dist!r}, scale={self.scale:g})"


def discriminator_update(generator, discriminator, optimizer, loss, real, z):
    """One D step: real → 1, G(z) → 0. Returns (d_loss, D(real), D(G(z))) as probabilities."""
    fake = generator(z, training=True)
    with tf.GradientTape() as tape:
        real_out = discriminator(real, training=True)
        fake_out = discriminator(fake, training=True)
        d_loss = loss.discriminator(real_out, fake_out)
        if hasattr(loss, "penalty"):  # e.g. WGAN-GP's gradient penalty: it needs D itself
            d_loss += loss.penalty(discriminator, real, fake)
    grads = tape.gradient(d_loss, discriminator.trainable_variables)
    optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
    return d_loss, loss.probability(real_out), loss.probability(fake_out)


def split_discriminator_update(generator, discriminator, optimizer, loss, real, z):
    """Two D steps, first on the real batch, then on the generated one, as Keras code that calls
    `D.train_on_batch` twice does (the book's chapters 4, 5 and 7). Returns what
    `discriminator_update` returns; d_loss combines the two terms."""
    fake = generator(z, training=True)
    with tf.GradientTape() as tape:
        real_out = discriminator(real, training=True)
        real_term = loss.real(real_out)
    grads = tape.gradient(real_term, discriminator.trainable_variables)
    optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
    with tf.GradientTape() as tape:
        fake_out = discriminator(fake, training=True)
        fake_term = loss.fake(fake_out)
    grads = tape.gradient(fake_term, discriminator.trainable_variables)
    optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
    return (loss.combine(real_term, fake_term), loss.probability(real_out),
            loss.probability(fake_out))


def generator_update(generator, discriminator, optimizer, loss, z):
    """One G step: make D score G(z) as real. Only G's weights change. Returns g_loss."""
    with tf.GradientTape() as tape:
        fake_out = discriminator(generator(z, training=True), training=True)
        g_loss = loss.generator(fake_out)
    grads = tape.gradient(g_loss, generator.trainable_variables)
    optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return g_loss


def alternating_step(generator, discriminator, g_optimizer, d_optimizer, loss, noise, real,
                     z=None, *, critic_steps=1, g_steps=1, d_split=False, g_noise="fresh"):
    """One iteration of the book's algorithm: `critic_steps` D updates, then `g_steps` G updates,
    each against the D of that moment. `z`: this batch's noise (else drawn from `noise`)."""
    batch = tf.shape(real)[0]
    d_update = split_discriminator_update if d_split else discriminator_update
    for _ in range(critic_steps):
        z_d = noise(batch) if z is None else z
        d_loss, p_real, p_fake = d_update(generator, discriminator, d_optimizer, loss, real, z_d)
    for _ in range(g_steps):
        z_g = noise(batch) if z is None and g_noise == "fresh" else z_d
        g_loss = generator_update(generator, discriminator, g_optimizer, loss, z_g)
    return step_logs(d_loss, g_loss, p_real, p_fake)


def simultaneous_update(generator, discriminator, g_optimizer, d_optimizer, loss, real, z):
    """Both steps from one forward pass, as the TensorFlow DCGAN tutorial does.

    D and G are scored on the same G(z), and both gradients are taken before either network
    changes, so G's step does not see D's new weights. It skips a second forward pass (about
    a third less work per iteration); the alternating steps above are the book's algorithm.
    Returns (d_loss, g_loss, D(real), D(G(z))).
    """
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake = generator(z, training=True)
        real_out = discriminator(real, training=True)
        fake_out = discriminator(fake, training=True)
        d_loss = loss.discriminator(real_out, fake_out)
        g_loss = loss.generator(fake_out)
    g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
    d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
    g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
    d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
    return d_loss, g_loss, loss.probability(real_out), loss.probability(fake_out)


def step_logs(d_loss, g_loss, p_real, p_fake):
    """The scalars a GAN step reports: the two losses and what D believes."""
    p_real = tf.cast(tf.reshape(p_real, [-1]), tf.float32)
    p_fake = tf.cast(tf.reshape(p_fake, [-1]), tf.float32)
    return {
        "d_loss": d_loss,
        "g_loss": g_loss,
        "d_real": tf.reduce_mean(p_real),  # D's mean belief that real samples are real
        "d_fake": tf.reduce_mean(p_fake),  # ... that generated samples are real
        "d_acc": 0.5 * (tf.reduce_mean(tf.cast(p_real > 0.5, tf.float32))
                        + tf.reduce_mean(tf.cast(p_fake < 0.5, tf.float32))),
    }


def _layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _layers(layer)


def _xla_pays(*models) -> bool:
    """XLA on a GPU, or for models without convolutions (see `make_train_step`)."""
    if tf.config.list_logical_devices("GPU"):
        return True
    return not any("Conv" in type(layer).__name__ for m in models for layer in _layers(m))


def _check_players(generator, discriminator, noise):
    check_pair(generator, discriminator)
    if not isinstance(noise, Noise):
        raise TypeError(f"noise: expected a gankit.training.Noise, got {type(noise).__name__}")
    if noise.dim != latent_dim(generator):
        raise ValueError(f"noise.dim is {noise.dim} but the generator takes z of size "
                         f"{latent_dim(generator)}: make them equal")


def _check_optimizers(**optimizers):
    mixed = keras.mixed_precision.global_policy().name == "mixed_float16"
    for name, opt in optimizers.items():
        if not isinstance(opt, keras.optimizers.Optimizer):
            raise TypeError(f"{name}: expected a keras optimizer (e.g. "
                            f"keras.optimizers.Adam(2e-4)), got {type(opt).__name__}")
        if mixed and not isinstance(opt, keras.optimizers.LossScaleOptimizer):
            raise ValueError(
                f"{name}: the mixed_float16 policy is on, so float16 gradients can underflow to "
                f"zero; wrap it: keras.optimizers.LossScaleOptimizer({type(opt).__name__}(...))")


def _check_batch(real, z, discriminator, generator, loss=None):
    """The first batch of each new shape: clear errors instead of errors deep inside Keras, and
    D's outputs on it checked against what the loss expects (`losses.check_outputs`)."""
    from gankit.data import check_images

    d_in, _ = io_shapes(discriminator, "discriminator")
    arr = np.asarray(real)
    if arr.ndim == len(d_in) and arr.shape == d_in:
        raise ValueError(f"real: got one sample of shape {arr.shape}; expected a batch "
                         f"(N, {', '.join(map(str, d_in))}): add a batch axis")
    check_images(arr, "real", shape=d_in, value_range=output_range(generator))
    if z is not None:
        z = np.asarray(z)
        if z.shape != (len(arr), latent_dim(generator)):
            raise ValueError(f"z: expected shape ({len(arr)}, {latent_dim(generator)}) (one "
                             f"latent vector per real sample), got {z.shape}")
    if loss is not None:
        check_outputs(loss, discriminator(arr, training=False), discriminator)


def make_train_step(generator, discriminator, g_optimizer, d_optimizer, noise: Noise, *,
                    loss=None, g_steps: int = 1, critic_steps: int = 1,
                    update: str = "alternating", d_split=False,
                    g_noise: str = "fresh", jit_compile: bool | None = None, strategy=None):
    """Return `train_step(real, z=None)`: `critic_steps` D updates and `g_steps` G updates.

    `z`, when given, is the noise for this batch (used for D's fakes and for G's step), as
    notebook 02's fixed noise table does; otherwise fresh noise is drawn from `noise`.
    The step returns a dict of scalars: d_loss, g_loss, d_real, d_fake, d_acc.
    The first batch of each new shape is checked (shape, dtype, value range, z's shape).

    critic_steps: D updates per batch, each on the same real batch and new noise (WGAN-GP's
        n_critic, 5 in the paper, as keras.io's WGAN-GP example does it).
    update: "alternating" (D's step, then G's against the updated D: the book's algorithm) or
        "simultaneous" (both from one forward pass, as the TensorFlow DCGAN tutorial).
    d_split: D takes two steps per batch, one on the real and one on the generated samples
        (see `discriminator_update`); the logged d_loss combines the two terms.
    g_noise: "fresh" draws new noise for G's step; "same" reuses D's (notebook 10 feeds one
        `noise` placeholder to both optimizers).
    jit_compile: compile the step with XLA. None chooses: on for one device, except for
        convolutional models on a CPU, off under a multi-device strategy (XLA cannot compile
        the cross-device gradient sum), and off in smoke mode, whose few steps never repay the
        compilation (notebook 03's first MLP: a first step of 9.0 s with XLA, 4.6 s without).
        Measured on a 2-core CPU: XLA halves the dense GANs' step time but makes the TensorFlow
        DCGAN tutorial's conv step 8-13% slower (XLA's CPU convolutions are slower than
        TensorFlow's own kernels). Turn it off to debug.
    strategy: a `tf.distribute.Strategy` (default: the one in scope). Build the models and
        optimizers under `strategy.scope()`; each replica gets a share of the batch, and
        `train` distributes the dataset. Logs are averaged over the replicas.
    """
    _check_players(generator, discriminator, noise)
    _check_optimizers(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    checks.positive_int(g_steps, "g_steps")
    checks.positive_int(critic_steps, "critic_steps")
    checks.choice(update, ("alternating", "simultaneous"), "update")
    checks.choice(g_noise, ("fresh", "same"), "g_noise")
    if update == "simultaneous" and (g_steps != 1 or critic_steps != 1 or d_split):
        raise ValueError("the simultaneous update makes exactly one G step and one D step "
                         "(g_steps=1, critic_steps=1, d_split=False)")
    loss = loss or BCE()
    if d_split and hasattr(loss, "penalty"):
        raise ValueError(f"d_split: {loss!r} has a penalty on real and generated samples "
                         f"together; it cannot be split into a real and a generated step")
    strategy = strategy or tf.distribute.get_strategy()
    if jit_compile is None:
        jit_compile = (strategy.num_replicas_in_sync == 1 and not smoke()
                       and _xla_pays(generator, discriminator))
    build_optimizers((g_optimizer, generator), (d_optimizer, discriminator), strategy=strategy)
    loss = _for_optimizers(loss, d_optimizer, g_optimizer, strategy)
    if update == "simultaneous":
        def step(real, z=None):
            z = noise(tf.shape(real)[0]) if z is None else z
            return step_logs(*simultaneous_update(generator, discriminator, g_optimizer,
                                                  d_optimizer, loss, real, z))
        lesson = (simultaneous_update,)
    else:
        step = functools.partial(alternating_step, generator, discriminator, g_optimizer,
                                 d_optimizer, loss, noise, critic_steps=critic_steps,
                                 g_steps=g_steps, d_split=d_split, g_noise=g_noise)
        lesson = (alternating_step, split_discriminator_update if d_split
                  else discriminator_update, generator_update)
    return _wrap(step, generator, discriminator, loss, strategy, jit_compile, lesson)


# ------------------------------------------------------- around the step (not the lesson)

def _gradient_scaled(value, factor):
    """`value` itself, but the gradient flowing back from it is multiplied by `factor`."""
    @tf.custom_gradient
    def identity(x):
        return tf.identity(x), lambda upstream: upstream * tf.cast(factor, upstream.dtype)

    return identity(value)


class _ScaledLoss:
    """A loss whose terms keep their values but pass their optimizer the gradient it needs.

    Under `tf.distribute` each replica takes the mean loss of its share of the batch and the
    optimizer *sums* the replicas' gradients: ÷ replicas makes that sum the gradient of the
    global batch's mean (Keras' own losses do the same, `scale_loss_for_distribution`). A
    `LossScaleOptimizer` (mixed precision) needs the loss × its loss scale before the gradient,
    so that float16 gradients do not underflow (what `optimizer.scale_loss` does in Keras' own
    `train_step`); it divides the gradients by the scale again. Only gradients are scaled: the
    step's code and the values it logs are those of one device in float32.
    """

    _D_TERMS = ("discriminator", "real", "fake", "penalty")

    def __init__(self, loss, d_optimizer, g_optimizer):
        self.loss, self.d_optimizer, self.g_optimizer = loss, d_optimizer, g_optimizer

    def __getattr__(self, name):
        attr = getattr(self.loss, name)
        if name not in self._D_TERMS + ("generator",):
            return attr
        optimizer = self.g_optimizer if name == "generator" else self.d_optimizer

        def term(*args):
            context = tf.distribute.get_replica_context()
            replicas = context.num_replicas_in_sync if context is not None else 1
            factor = optimizer.scale_loss(tf.constant(1.0)) / replicas
            return _gradient_scaled(attr(*args), factor)

        return term

    def __repr__(self):
        return repr(self.loss)


def _for_optimizers(loss, d_optimizer, g_optimizer, strategy=None):
    """`loss` as it is on one device without loss scaling; else wrapped in `_ScaledLoss`."""
    replicas = (strategy or tf.distribute.get_strategy()).num_replicas_in_sync
    scaling = any(isinstance(o, keras.optimizers.LossScaleOptimizer)
                  for o in (d_optimizer, g_optimizer))
    return _ScaledLoss(loss, d_optimizer, g_optimizer) if replicas > 1 or scaling else loss


def _wrap(step, generator, discriminator, loss, strategy, jit_compile, lesson):
    """`step` as `train_step(real, z=None)`: compiled (XLA if `jit_compile`), run on every
    replica of `strategy` with its logs averaged, and its first batch of each new shape checked
    (`_check_batch`). What it computes is `step`'s; `lesson` are the functions it shows."""
    if strategy.num_replicas_in_sync == 1:
        compiled = tf.function(step, jit_compile=jit_compile)
    else:
        @tf.function(jit_compile=jit_compile)
        def compiled(real, z=None):
            logs = strategy.run(step, args=(real, z))
            return {k: strategy.reduce("MEAN", v, axis=None) for k, v in logs.items()}

    checked = set()

    def train_step(real, z=None):
        first = strategy.experimental_local_results(real)[0]
        first_z = None if z is None else strategy.experimental_local_results(z)[0]
        key = (tuple(first.shape), str(first.dtype), None if z is None else tuple(first_z.shape))
        if key not in checked:
            _check_batch(first, first_z, discriminator, generator, loss)
            checked.add(key)
        return compiled(real, z)

    train_step.strategy, train_step.compiled, train_step.lesson = strategy, compiled, lesson
    return train_step


class GAN(keras.Model):
    """A GAN that `fit()` can train: `gan.compile(d_optimizer=..., g_optimizer=...)`, `gan.fit(ds)`.

    The dataset yields batches of real samples. Calling the model, `gan(z)`, runs the generator.
    """

    def __init__(self, generator, discriminator, noise: Noise, loss=None, g_steps: int = 1,
                 critic_steps: int = 1, **kwargs):
        super().__init__(**kwargs)
        _check_players(generator, discriminator, noise)
        self.generator, self.discriminator, self.noise = generator, discriminator, noise
        self.loss_pair = loss or BCE()
        self.g_steps, self.critic_steps = g_steps, critic_steps
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("d_loss", "g_loss", "d_real", "d_fake", "d_acc")}

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        _check_optimizers(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    @property
    def metrics(self):
        return list(self.trackers.values())

    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`, after checking the first batch as `make_train_step` does."""
        first = next(iter(x.take(1))) if isinstance(x, tf.data.Dataset) else x
        first = first[0] if isinstance(first, (tuple, list)) else first
        if first is not None:
            _check_batch(np.asarray(first)[:256], None, self.discriminator, self.generator,
                         self.loss_pair)
        return super().fit(x, *args, **kwargs)

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        d_in, _ = io_shapes(self.discriminator, "discriminator")
        if tuple(real.shape[1:]) != d_in or not real.dtype.is_floating:  # checked when traced
            raise ValueError(f"the dataset's batches: expected float images of shape "
                             f"(N, {', '.join(map(str, d_in))}), got {real.dtype.name} "
                             f"{tuple(real.shape)} (rescale uint8 with gankit.data.to_float)")
        loss = _for_optimizers(self.loss_pair, self.d_optimizer, self.g_optimizer)
        logs = alternating_step(self.generator, self.discriminator, self.g_optimizer,
                                self.d_optimizer, loss, self.noise, real,
                                critic_steps=self.critic_steps, g_steps=self.g_steps)
        for name, value in logs.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


GAN.lesson = (GAN.train_step, alternating_step, discriminator_update, generator_update)


# ---------------------------------------------------------------------------- the loop

def _record(pending, history, guard, where, checkpoint):
    """Move the pending step logs into the history, after the guard has checked them."""
    values = {k: np.array([float(log[k]) for log in pending]) for k in pending[0]}
    guard.check(values, where, checkpoint.latest if checkpoint is not None else None)
    for name, series in values.items():
        history.step.setdefault(name, []).extend(series.tolist())
    pending.clear()


def train(train_step, dataset, epochs: int, *, steps_per_epoch: int | None = None,
          callbacks=(), log_every: int = 1, history: History | None = None,
          initial_epoch: int = 0, checkpoint=None, guard=None) -> History:
    """Run `train_step` over `dataset` from epoch `initial_epoch` + 1 to `epochs`.

    As in Keras' `fit()`, `epochs` is the number of the last epoch: to continue a finished run of
    300 epochs for 200 more, pass `epochs=500, initial_epoch=300, history=history`.

    steps_per_epoch: when given, an "epoch" is that many batches of the repeated dataset (for
        books that count iterations, not passes over the data).
    callbacks: objects with `on_epoch_end(epoch, logs)` (e.g. `SampleGrid`); `on_train_begin()`
        and `on_train_end()` are called when present. Values a callback adds to `logs` (an
        evaluation, say) are kept in `history.epoch` and so in the checkpoints.
    checkpoint: a `checkpoints.Checkpoint`. Training first continues from its newest save (the
        counters, history and RNG states included), then saves as `Checkpoint` says (every
        `every_epochs` epochs, every `every_steps` steps). The batches of the finished part are
        replayed without training (tf.data draws each epoch's shuffle order from the seed and
        the number of iterators made so far), so a resumed run sees the same data as an
        unbroken one.
    guard: a `checkpoints.Guard` (the default one when None): stops with `TrainingDiverged`
        when a loss becomes NaN/Inf or D's loss stays near zero; the last good checkpoint stays.

    While it runs, a progress bar (`live.Progress`) shows the steps done, the seconds per step
    and the time left, updated in place; after the first steps it prints once what a step costs
    on this device and how long the run will take.
    """
    checks.positive_int(epochs, "epochs")
    if not isinstance(initial_epoch, int) or not 0 <= initial_epoch < epochs:
        raise ValueError(f"initial_epoch: expected an int in [0, epochs), got {initial_epoch!r}")
    checks.positive_int(steps_per_epoch, "steps_per_epoch", none=True)
    history, guard, done = history or History(), guard or Guard(), 0
    state = checkpoint.restore() if checkpoint is not None else None
    if state is not None:
        initial_epoch, done, history = state
        if initial_epoch >= epochs:
            print(f"Already trained for {initial_epoch} epochs (asked for {epochs}).")
            return history
    for cb in callbacks:
        getattr(cb, "on_train_begin", lambda: None)()
    batches = _Batches(dataset, steps_per_epoch, getattr(train_step, "strategy", None))
    if state is not None:  # after a restart: replay the finished steps' data (no training)
        batches.skip(initial_epoch, done)
    per_epoch = steps_per_epoch or _batches(dataset)
    progress = live.Progress(per_epoch and per_epoch * epochs,
                             (per_epoch or 0) * initial_epoch + done)
    logs = None
    for epoch in range(initial_epoch + 1, epochs + 1):
        start = time.perf_counter()
        step, logs = _run_epoch(train_step, batches.epoch(done), epoch, done, steps_per_epoch,
                                progress, history, guard, checkpoint, start)
        if progress.total is None:  # now the length of an epoch is known
            progress.total = progress.done + step * (epochs - epoch)
        _end_epoch(epoch, epochs, step, done, initial_epoch, start, history, callbacks,
                   log_every, checkpoint)
        done = 0
    progress.close(logs)
    for cb in callbacks:
        getattr(cb, "on_train_end", lambda *a: None)()
    return history


class _Batches:
    """The batches `train` feeds the step: the dataset (repeated when an epoch is a number of
    steps), distributed over the replicas of a multi-device strategy."""

    def __init__(self, dataset, steps_per_epoch, strategy):
        self.source = dataset.repeat() if steps_per_epoch else dataset
        if strategy is not None and strategy.num_replicas_in_sync > 1:
            self.source = strategy.experimental_distribute_dataset(self.source)
        self.steps_per_epoch = steps_per_epoch
        self.iterator = iter(self.source) if steps_per_epoch else None

    def skip(self, epochs, steps):
        """Replay `epochs` finished epochs and `steps` steps of the next one. tf.data draws each
        epoch's shuffle order from the seed and the number of iterators made so far, so a
        resumed run sees the same data as an unbroken one."""
        if self.steps_per_epoch:
            for _ in range(epochs * self.steps_per_epoch + steps):
                next(self.iterator)
        else:
            for _ in range(epochs):
                iter(self.source)  # each new iterator advances the shuffle order by one epoch

    def epoch(self, done):
        """The batches of the next epoch, `done` of them already trained on."""
        if not self.steps_per_epoch:
            self.iterator = iter(self.source)
            for _ in range(done):
                next(self.iterator)
        step = done
        while self.steps_per_epoch is None or step < self.steps_per_epoch:
            batch = next(self.iterator, None)
            if batch is None:
                return
            yield batch if isinstance(batch, tuple) else (batch,)
            step += 1


def _run_epoch(train_step, batches, epoch, done, steps_per_epoch, progress, history, guard,
               checkpoint, start):
    """Train on one epoch's batches, saving every `checkpoint.every_steps` steps. Returns the
    epoch's step count and the last step's logs."""
    pending, step, logs = [], done, None
    for batch in batches:
        logs = train_step(*batch)
        pending.append(logs)
        step += 1
        progress.update(progress.done + 1, logs)
        if checkpoint is not None and checkpoint.every_steps \
                and step % checkpoint.every_steps == 0:
            _record(pending, history, guard, f"epoch {epoch}, step {step}", checkpoint)
            history.seconds.append(time.perf_counter() - start)  # this epoch's part so far
            checkpoint.save(epoch - 1, step, history)
            history.seconds.pop()
    if step == 0:
        raise ValueError("the dataset yielded no batch: is it empty?")
    if pending:
        _record(pending, history, guard, f"epoch {epoch}, step {step}", checkpoint)
    return step, logs


def _end_epoch(epoch, epochs, step, done, initial_epoch, start, history, callbacks, log_every,
               checkpoint):
    """Record the epoch's seconds and mean logs, print them, run the callbacks, save."""
    seconds = time.perf_counter() - start
    if done and history.seconds and len(history.seconds) == epoch:
        seconds += history.seconds.pop()  # time spent on this epoch before the restart
    history.seconds.append(seconds)
    epoch_logs = {k: float(np.mean(v[-step:])) for k, v in history.step.items()}
    for name, value in epoch_logs.items():
        history.epoch.setdefault(name, []).append(value)
    if log_every and (epoch % log_every == 0 or epoch in (initial_epoch + 1, epochs)):
        shown = " · ".join(f"{k} {v:.4f}" for k, v in epoch_logs.items())
        print(f"epoch {epoch:>4}/{epochs} · {shown} · {seconds:.1f} s", flush=True)
    for cb in callbacks:
        cb.on_epoch_end(epoch, epoch_logs)
    for name in epoch_logs.keys() - history.step.keys():  # added by a callback: keep it
        history.epoch.setdefault(name, []).append(epoch_logs[name])
    if checkpoint is not None and (epoch % checkpoint.every_epochs == 0 or epoch == epochs):
        checkpoint.save(epoch, 0, history)


def _batches(dataset) -> int | None:
    """The number of batches in one pass over `dataset`, when tf.data knows it."""
    count = int(dataset.cardinality()) if hasattr(dataset, "cardinality") else -1
    return count if count > 0 else None


class SampleGrid(keras.callbacks.Callback):
    """Render G's output for a fixed set of latent vectors every `every` epochs.

    (`z` may be any fixed input G takes: for an image-to-image G, a few source images.)

    Saves `epoch_XXXX.png` (and the samples as `.npy`) into `out_dir` and, at the end of
    training, `progress.gif` made of those frames. Works as a `fit()` callback and with
    `train(..., callbacks=[grid])`.
    `render(samples, title)` returns a matplotlib Figure (default: `plots.image_grid`).
    `snapshots` maps epoch → the generated samples (NumPy), epoch 0 being the untrained G.
    live: in a notebook, show the newest grid while training runs, replaced in place by each new
        one, and the GIF when training ends (`live.show`).
    """

    def __init__(self, generator, z, out_dir, every: int = 1, render=None, gif_seconds=0.3,
                 live: bool = True):
        super().__init__()
        from gankit import plots

        checks.positive_int(every, "every")
        z = np.asarray(z, dtype="float32")
        wanted = io_shapes(generator, "generator")[0]
        if z.ndim != len(wanted) + 1 or z.shape[1:] != tuple(
                d or n for d, n in zip(wanted, z.shape[1:])):
            raise ValueError(f"z: expected shape (n, {', '.join(map(str, wanted))}), got "
                             f"{z.shape}")
        self.generator, self.z, self.every = generator, z, every
        self.out_dir = Path(out_dir)
        self.render = render or plots.image_grid
        self.gif_seconds = gif_seconds
        self.snapshots, self.frames = {}, []
        self.live, self.view = live, None

    def snapshot(self, epoch):
        samples = np.asarray(self.generator(self.z, training=False))
        self.snapshots[epoch] = samples
        self.out_dir.mkdir(parents=True, exist_ok=True)
        fig = self.render(samples, title=f"epoch {epoch}")
        path = self.out_dir / f"epoch_{epoch:04d}.png"
        fig.savefig(path, dpi=72)
        np.save(path.with_suffix(".npy"), samples)  # for `on_resume` after a restart
        import matplotlib.pyplot as plt

        plt.close(fig)
        self.frames.append(path)
        if self.view is not None:
            live.show(live.image(path), self.view)
        return path

    def on_resume(self, epoch):
        """Training continues after `epoch` epochs: take back the frames saved up to then."""
        self.snapshots, self.frames = {}, []
        for path in sorted(self.out_dir.glob("epoch_*.png")):
            done = int(path.stem.split("_")[1])
            if done <= epoch and path.with_suffix(".npy").is_file():
                self.snapshots[done] = np.load(path.with_suffix(".npy"))
                self.frames.append(path)

    def on_train_begin(self, logs=None):
        if 0 not in self.snapshots:
            self.snapshot(0)
        if self.live and self.view is None:
            self.view = live.show(live.image(self.frames[-1]))

    def on_epoch_end(self, epoch, logs=None):
        # fit() counts epochs from 0, train() from 1: both end up as "epochs done".
        done = epoch + 1 if self.model is not None else epoch
        if done % self.every == 0:
            self.snapshot(done)

    def on_train_end(self, logs=None):
        if self.frames:
            gif = self.write_gif()
            if self.view is not None:
                live.show(live.image(gif), self.view)
            self.view = None

    def write_gif(self) -> Path:
        """Write `progress.gif` from the saved frames and return its path."""
        from PIL import Image

        images = [Image.open(p).convert("RGB") for p in self.frames]
        path = self.out_dir / "progress.gif"
        images[0].save(path, save_all=True, append_images=images[1:],
                       duration=int(self.gif_seconds * 1000), loop=0)
        return path
