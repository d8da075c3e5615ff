"""A practitioner copies a builder and a train step into their own file: does the copy run?

The copy is what `gankit/models.py`'s docstring says to take: a family's section, the block
"shared by the builders", and `gankit/checks.py`; for the step, `training`'s update functions,
`alternating_step`, `step_logs`, `Noise` and `losses.BCE`. They go into one temporary module that
imports only keras, tensorflow, numpy and the standard library; each family's models are built
from it, checked against gankit's own, and trained.
"""

import importlib.util
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from gankit import losses, models, training

ROOT = Path(__file__).resolve().parents[1]
HEADER = "import math\n\nimport keras\nimport numpy as np\nimport tensorflow as tf\n" \
         "from keras import layers\n\n"
STEP = (training.discriminator_update, training.generator_update, training.alternating_step,
        training.step_logs, training.Noise, losses.BCE)


def sections(path):
    """{title: code} for the `# ----- title` sections of a module (the header is "")."""
    parts = re.split(r"^# -{3,} (.+)$", path.read_text(), flags=re.MULTILINE)
    return {"": parts[0], **dict(zip(parts[1::2], parts[2::2]))}


def body(path):
    """A module's code without its docstring and imports."""
    lines = [line for line in path.read_text().splitlines()
             if not re.match(r"(from \S+ )?import |from __future__", line)]
    return re.sub(r'^""".*?"""', "", "\n".join(lines), count=1, flags=re.DOTALL)


def copy(family: str, tmp_path, with_step=False):
    """The module a practitioner would write: checks, the shared block, one family."""
    parts = sections(ROOT / "gankit" / "models.py")
    shared = next(code for title, code in parts.items() if title.startswith("shared"))
    chosen = next(code for title, code in parts.items() if title.startswith(family))
    text = HEADER + body(ROOT / "gankit" / "checks.py") + shared + chosen
    if with_step:
        text += "\n\n" + "\n\n".join(inspect.getsource(obj) for obj in STEP)
    text = text.replace("checks.", "")  # the checks are pasted into the same file
    assert not re.search(r"^\s*(from|import) gankit", text, flags=re.MULTILINE)
    path = tmp_path / f"copied_{family.split()[0].replace('-', '_')}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, len(text.splitlines())


def train_two_steps(module, g, d, dim):
    """Two `alternating_step`s from the copy: both networks change, the losses are finite."""
    import keras

    g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
    noise, loss = module.Noise(dim, seed=0), module.BCE(from_logits=True)
    real = tf.random.uniform((8, *d.input_shape[1:]), -1, 1, seed=1)
    before = [w.numpy().copy() for w in g.trainable_weights + d.trainable_weights]
    step = tf.function(lambda batch: module.alternating_step(g, d, g_opt, d_opt, loss, noise,
                                                             batch))
    logs = [step(real) for _ in range(2)][-1]
    after = [w.numpy() for w in g.trainable_weights + d.trainable_weights]
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert any(not np.allclose(a, b) for a, b in zip(before[:len(g.trainable_weights)], after))
    assert any(not np.allclose(a, b) for a, b in zip(before[len(g.trainable_weights):], after[
        len(g.trainable_weights):]))


CASES = {
    "MLP": ("mlp_generator", (8, (16,), (6, 6, 1)), "mlp_discriminator",
            ((6, 6, 1), (16,)), dict(output_activation=None)),
    "convolutional": ("conv_generator", (8, (4, 4, 8), [(8, 3, 2)], 1), "conv_discriminator",
                      ((8, 8, 1), [(8, 3, 2)]), dict(output_activation=None)),
    "DCGAN": ("dcgan_generator", (8, 4, [16, 8], 4), "dcgan_discriminator", (16, [8, 16], 4),
              dict()),
}


@pytest.mark.parametrize("family", CASES)
def test_a_copied_builder_and_step_train_without_gankit(family, tmp_path):
    module, lines = copy(family, tmp_path, with_step=True)
    g_name, g_args, d_name, d_args, d_kwargs = CASES[family]
    g, d = getattr(module, g_name)(*g_args), getattr(module, d_name)(*d_args, **d_kwargs)
    assert g.count_params() == getattr(models, g_name)(*g_args).count_params()
    assert d.count_params() == getattr(models, d_name)(*d_args, **d_kwargs).count_params()
    train_two_steps(module, g, d, g_args[0])
    print(f"{family}: {lines} lines copied")


@pytest.mark.parametrize("family, build", [
    ("image-to-image", lambda m: (m.residual_generator(8, 2, image_size=32),
                                  m.patch_discriminator(8, image_size=64),
                                  m.siamese_discriminator(32, (8, 8, 8, 8, 8), 16))),
    ("colorization", lambda m: (m.colorization_generator(96, chroma=True),
                                m.colorization_discriminator(120))),
])
def test_a_copied_image_builder_runs_without_gankit(family, build, tmp_path):
    module, _ = copy(family, tmp_path)
    for copied, own in zip(build(module), build(models)):
        assert copied.count_params() == own.count_params()
        shape = (2, *(s or 32 for s in copied.input_shape[1:]))
        out = copied(tf.random.uniform(shape), training=False)
        assert np.all(np.isfinite(np.asarray(out)))


def test_the_copy_keeps_the_checks():
    """The pasted checks still give gankit's clear errors."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        module, _ = copy("DCGAN", Path(folder))
    with pytest.raises(ValueError, match="latent_dim: expected a positive int"):
        module.dcgan_generator(0, 4, [8], 4)
