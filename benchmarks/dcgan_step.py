"""`make bench`: gankit's DCGAN train step against the TensorFlow DCGAN tutorial's, in one process.

The reference is the tutorial's code (tensorflow.org/tutorials/generative/dcgan) re-typed here:
its generator and discriminator, its loss, Adam(1e-4) for both, batch 256, and its
`@tf.function train_step`. gankit's step trains copies of the same two models (same initial
weights) on the same MNIST batches. Rounds alternate between the steps so that both see the
same machine load; the medians are reported. Then the input pipelines alone: gankit's
`data.from_arrays` and the tutorial's `from_tensor_slices(...).shuffle(60000).batch(256)`.

Against the machine: each step's floating-point operations (G's and D's forward passes as
TensorFlow's profiler counts them, three times over for a pass whose gradient is taken) times its
steps per second, beside the rate of a large float32 matrix multiply measured in the same run.

    python benchmarks/dcgan_step.py [--steps 5] [--rounds 3] [--batch 256] [--mixed] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("GANKIT_QUIET", "1")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

import gankit  # noqa: E402
from gankit import data, losses, training  # noqa: E402

NOISE_DIM = 100


# ---------------------------------------------------------------------------- the tutorial
def make_generator_model():
    model = keras.Sequential([
        keras.Input((NOISE_DIM,)),
        layers.Dense(7 * 7 * 256, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False,
                               activation="tanh"),
    ])
    return model


def make_discriminator_model():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"), layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"), layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1),
    ])


def tutorial_step(generator, discriminator, batch_size):
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    generator_optimizer = keras.optimizers.Adam(1e-4)
    discriminator_optimizer = keras.optimizers.Adam(1e-4)

    def discriminator_loss(real_output, fake_output):
        real_loss = cross_entropy(tf.ones_like(real_output), real_output)
        fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
        return real_loss + fake_loss

    def generator_loss(fake_output):
        return cross_entropy(tf.ones_like(fake_output), fake_output)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([batch_size, NOISE_DIM])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            gen_loss = generator_loss(fake_output)
            disc_loss = discriminator_loss(real_output, fake_output)
        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss,
                                                        discriminator.trainable_variables)
        generator_optimizer.apply_gradients(zip(gradients_of_generator,
                                                generator.trainable_variables))
        discriminator_optimizer.apply_gradients(zip(gradients_of_discriminator,
                                                    discriminator.trainable_variables))
        return disc_loss

    return train_step


# ---------------------------------------------------------------------------- gankit
def gankit_step(reference_g, reference_d, update, mixed):
    if mixed:
        keras.mixed_precision.set_global_policy("mixed_float16")
    g, d = make_generator_model(), make_discriminator_model()
    keras.mixed_precision.set_global_policy("float32")
    g.set_weights(reference_g.get_weights())
    d.set_weights(reference_d.get_weights())
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
    if mixed:
        g_opt = keras.optimizers.LossScaleOptimizer(g_opt)
        d_opt = keras.optimizers.LossScaleOptimizer(d_opt)
    # The tutorial sums the two halves of D's loss: reduction="sum" is the same number.
    return training.make_train_step(g, d, g_opt, d_opt, training.Noise(NOISE_DIM),
                                    loss=losses.BCE(from_logits=True, reduction="sum"),
                                    update=update)


def images_per_second(step, batches, steps):
    start = time.perf_counter()
    for i in range(steps):
        out = step(batches[i % len(batches)])
    float(out["d_loss"] if isinstance(out, dict) else out)  # wait for the last step
    return steps * len(batches[0]) / (time.perf_counter() - start)


def forward_flops(model, batch) -> int:
    """The floating-point operations of one forward pass of `model` on `batch`, as TensorFlow's
    profiler counts them in the graph of that call (2 per multiply-add)."""
    from tensorflow.python.profiler import model_analyzer, option_builder

    options = option_builder.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    graph = tf.function(lambda x: model(x, training=True)).get_concrete_function(batch).graph
    return int(model_analyzer.profile(graph, options=options).total_float_ops)


def step_flops(g_forward, d_forward):
    """Work per step, the usual accounting: a pass whose gradient is taken costs 3 forward passes
    (the backward pass about twice the forward), one without a gradient costs 1."""
    simultaneous = 3 * (g_forward + 2 * d_forward)  # G(z), D(real), D(G(z)); both tapes
    alternating = g_forward + 3 * 2 * d_forward + 3 * (g_forward + d_forward)  # D's step, G's
    return {"tutorial step": simultaneous, "gankit, simultaneous": simultaneous,
            "gankit, alternating": alternating}


def matmul_peak(n: int = 2048, repeats: int = 10, rounds: int = 3) -> float:
    """FLOP/s of an n × n float32 matrix product, the best of `rounds` (2·n³ per product)."""
    a = tf.random.normal((n, n))

    @tf.function
    def products(x):
        for _ in tf.range(repeats):
            x = tf.matmul(x, a) * (1.0 / n)  # the scale keeps the values finite
        return x

    float(tf.reduce_sum(products(a)))  # trace and warm up
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        float(tf.reduce_sum(products(a)))
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 * repeats / best


def pipeline_rate(dataset, limit):
    start, seen = time.perf_counter(), 0
    for batch in dataset:
        seen += int(batch.shape[0])
        if seen >= limit:
            break
    return seen / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=5, help="steps per round and step")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--mixed", action="store_true",
                        help="gankit's step in mixed_float16 (a GPU feature)")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    print(gankit.runtime.device_report())
    gankit.seed(0)

    images, _ = data.image_arrays("mnist")
    x = data.to_float(images)
    batches = [tf.constant(x[i:i + args.batch]) for i in range(0, 4 * args.batch, args.batch)
               if len(x[i:i + args.batch]) == args.batch]
    reference_g, reference_d = make_generator_model(), make_discriminator_model()
    steps = {
        "tutorial step": tutorial_step(reference_g, reference_d, args.batch),
        "gankit, simultaneous": gankit_step(reference_g, reference_d, "simultaneous",
                                            args.mixed),
        "gankit, alternating": gankit_step(reference_g, reference_d, "alternating",
                                           args.mixed),
    }
    for step in steps.values():  # trace, compile and warm up
        images_per_second(step, batches, 2)
    rates = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            rates[name].append(images_per_second(step, batches, args.steps))
    medians = {name: statistics.median(r) for name, r in rates.items()}
    base = medians["tutorial step"]
    print(f"\nDCGAN train step, batch {args.batch}, median of {args.rounds} rounds x "
          f"{args.steps} steps" + (" (gankit in mixed_float16)" if args.mixed else ""))
    print(f"{'step':<24}{'images/s':>10}{'vs tutorial':>13}   rounds")
    for name, median in medians.items():
        shown = ", ".join(f"{r:.0f}" for r in rates[name])
        print(f"{name:<24}{median:>10.0f}{median / base:>12.2f}x   {shown}")
    print("(simultaneous: the tutorial's algorithm, one forward pass for both updates; "
          "alternating: D's step, then G's against the new D, as in the book)")

    peak = matmul_peak()
    noise = tf.zeros((args.batch, NOISE_DIM))
    flops = step_flops(forward_flops(reference_g, noise), forward_flops(reference_d, batches[0]))
    achieved = {name: flops[name] * medians[name] / args.batch for name in steps}
    print(f"\nagainst the machine: a 2048 x 2048 float32 matmul runs at {peak / 1e9:.0f} GFLOP/s")
    print(f"{'step':<24}{'GFLOP/step':>11}{'GFLOP/s':>10}{'of matmul':>11}")
    for name in steps:
        print(f"{name:<24}{flops[name] / 1e9:>11.1f}{achieved[name] / 1e9:>10.1f}"
              f"{achieved[name] / peak:>10.0%}")
    print("(forward passes as tf.profiler counts them, x 3 where a gradient is taken; the "
          "alternating step makes a second forward pass through G and D)")

    limit = min(len(x), 60_000)
    ours = pipeline_rate(data.from_arrays(x, args.batch), limit)
    theirs = pipeline_rate(tf.data.Dataset.from_tensor_slices(x).shuffle(60_000)
                           .batch(args.batch), limit)
    print(f"\ninput pipeline alone, one pass over {limit} images:")
    print(f"  gankit data.from_arrays  {ours:>12,.0f} images/s "
          f"({ours / max(medians.values()):.0f}x the fastest step)")
    print(f"  tutorial shuffle(60000)  {theirs:>12,.0f} images/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": gankit.runtime.device_report(), "batch": args.batch,
                       "mixed": args.mixed, "rates": rates, "medians": medians,
                       "pipeline": {"gankit": ours, "tutorial": theirs},
                       "matmul_flops_per_s": peak, "step_flops": flops,
                       "achieved_flops_per_s": achieved}, f, indent=1)


if __name__ == "__main__":
    main()
