"""The judges: networks that score the image chapters, trained once and shipped with gankit.

A judge retrained on another machine (or on the same one: TensorFlow's CPU kernels are not
bit-reproducible by default) gives another number for the same generator. So each judge in
`MANIFEST` was trained once, with a fixed seed and deterministic ops, by

    GANKIT_DATA_DIR=/path/to/datasets python -m gankit train-judges NAME [NAME ...]

and its file ships in `gankit/weights/` with its SHA-256 pinned in `gankit/weights/judges.json`.
`load(NAME)` checks the hash before it trusts the file. What each was trained on and its accuracy
on held-out real images are in the manifest, and printed when it loads.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

WEIGHTS = Path(__file__).parent / "weights"
MANIFEST = WEIGHTS / "judges.json"
SEED = 0


class JudgeUnavailable(RuntimeError):
    """A shipped judge's file is missing or is not the file its hash was pinned for."""


def classifier_model(image_shape, classes: int = 10) -> keras.Model:
    """The evaluation classifier of notebooks 03–07: two stride-2 convolutions, a 128-unit
    "features" layer (the Fréchet distance's and KID's features) and a softmax."""
    inputs = keras.Input(image_shape, name="image")
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="evaluation_classifier")


def residual_classifier_model(image_shape, classes: int = 10) -> keras.Model:
    """A stronger judge for colour images (CIFAR-10): random flips and shifts while training, five
    residual blocks in three stages (32, 64, 128 filters, BatchNorm), global average pooling and
    the same 128-unit "features" layer and softmax as `classifier_model`."""

    def block(x, filters, stride):
        shortcut = x
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        if stride != 1 or shortcut.shape[-1] != filters:
            shortcut = layers.BatchNormalization()(
                layers.Conv2D(filters, 1, strides=stride, use_bias=False)(shortcut))
        return layers.ReLU()(layers.Add()([x, shortcut]))

    inputs = keras.Input(image_shape, name="image")
    x = layers.RandomFlip("horizontal")(inputs)
    x = layers.RandomTranslation(0.125, 0.125, fill_mode="reflect")(x)
    x = layers.ReLU()(layers.BatchNormalization()(
        layers.Conv2D(32, 3, padding="same", use_bias=False)(x)))
    for filters, stride in ((32, 1), (64, 2), (64, 1), (128, 2), (128, 1)):
        x = block(x, filters, stride)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="evaluation_classifier")


ROTATIONS = 4  # 0, 90, 180 and 270 degrees


def rotation_model(image_shape) -> keras.Model:
    """The rotation network of notebooks 08–10 (`metrics.feature_network`): stride-2
    convolutions, global average pooling, 128 "features" of length √128, a 4-way softmax."""
    inputs = keras.Input(image_shape, name="image")
    x = inputs
    for filters in (32, 64, 128, 256)[:max(2, int(np.log2(image_shape[0])) - 2)]:
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(128, activation="relu")(x)
    # Features of length √128: KID's cubic kernel (x·y/d + 1)³ then stays in a sane range.
    x = layers.UnitNormalization()(x)
    x = layers.Rescaling(128 ** 0.5, name="features")(x)
    outputs = layers.Dense(ROTATIONS, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="rotation_network")


def attribute_model(image_shape, outputs: int, regression: bool = False, mean: float = 0.0,
                    std: float = 1.0) -> keras.Model:
    """The judge of notebook 11 (`metrics.attribute_network`): random left–right flips while
    training, 3×3 convolutions with max pooling, a 128-unit "features" layer, then `outputs`
    sigmoids (binary attributes) or, with `regression`, one number learnt on standardised targets
    and answered in their units (`mean` + `std` · output)."""
    inputs = keras.Input(image_shape, name="image")
    x = layers.RandomFlip("horizontal")(inputs)
    for filters in (32, 64, 128, 256)[:max(2, int(np.log2(image_shape[0])) - 2)]:
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    if regression:
        output = layers.Rescaling(std, offset=mean, name="value")(layers.Dense(1)(x))
    else:
        output = layers.Dense(outputs, activation="sigmoid", name="probabilities")(x)
    return keras.Model(inputs, output, name="attribute_network")


def rotated(images):
    """Each image at 0, 90, 180 and 270 degrees, and those labels 0–3."""
    turns = [np.rot90(images, k, axes=(1, 2)) for k in range(ROTATIONS)]
    labels = np.repeat(np.arange(ROTATIONS, dtype=np.uint8), len(images))
    return np.concatenate(turns), labels


CELEBA_BOX = (30, 55, 150, 175)  # notebooks 09 and 10's face box (not applied to the pack's crops)
AGING_BOX = (19, 39, 159, 179)   # notebook 11's (the pack's own face box)
AGING_ATTRIBUTES = ("Young", "Male", "Smiling", "Eyeglasses")  # notebook 11's JUDGED

# name → how it is trained. Classifiers: the dataset (`data.image_arrays`), the network, the epochs.
# Rotation networks (`metrics.feature_network`, notebooks 08–10): the face set, its side and options
# as the notebook loads it (250 faces held out, seed 0), the epochs. Attribute judges (notebook 11):
# CelebA's attributes or UTKFace's ages at a side, split as notebook 11 splits them.
RECIPES = {
    "mnist": dict(dataset="mnist", model=classifier_model, epochs=3),
    "fashion_mnist": dict(dataset="fashion_mnist", model=classifier_model, epochs=5),
    "cifar10": dict(dataset="cifar10", model=residual_classifier_model, epochs=40, cosine=True),
    "anime_faces_64": dict(faces=("anime_faces", 64, {}), epochs=5),
    "celeba_32": dict(faces=("celeba", 32, {"crop_box": CELEBA_BOX}), epochs=5),
    "celeba_64": dict(faces=("celeba", 64, {"crop_box": CELEBA_BOX}), epochs=5),
    "celeba_attributes_32": dict(attributes=AGING_ATTRIBUTES, size=32, held_out=300, epochs=30),
    "utkface_age_32": dict(ages=True, size=32, epochs=30),
    # notebooks 12 and 13: which of two image sets an image comes from (0: photos / X, 1: paintings
    # / Y), on the images the notebook trains its judge on; used only for those very images
    "vangogh2photo_style_64": dict(pair="vangogh2photo", size=128, held_out=(10, 100),
                                   crops=(64, 512, 7), epochs=10),
    "summer2winter_yosemite_domains_128": dict(pair="summer2winter_yosemite", size=128,
                                               held_out=(40, 40), epochs=10),
}


def manifest() -> dict:
    return json.loads(MANIFEST.read_text()) if MANIFEST.is_file() else {}


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def weights_digest(model: keras.Model) -> str:
    """SHA-256 of a model's weights alone (the .keras file's own hash also covers its save date):
    equal for two trainings that computed the same weights."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()


def shipped(name: str) -> bool:
    """Whether gankit ships a judge called `name`."""
    return name in manifest()


def load(name: str, verbose: int = 1) -> keras.Model:
    """The shipped judge `name`, after checking its file against the pinned SHA-256."""
    entry = manifest().get(name)
    if entry is None:
        raise JudgeUnavailable(f"no shipped judge {name!r}; shipped: {sorted(manifest())}")
    path = WEIGHTS / entry["file"]
    how = (f"Reinstall gankit (its wheel carries gankit/weights/{entry['file']}), or retrain it "
           f"with `python -m gankit train-judges {name}` (the numbers then compare only with "
           f"numbers from that file).")
    if not path.is_file():
        raise JudgeUnavailable(f"judge {name!r}: {path} is missing. {how}")
    if sha256(path) != entry["sha256"]:
        raise JudgeUnavailable(f"judge {name!r}: {path} does not match its pinned SHA-256 "
                               f"{entry['sha256'][:12]}… (changed or truncated). {how}")
    model = keras.models.load_model(path)
    if verbose:
        print(f"{name} judge: shipped with gankit (sha256 {entry['sha256'][:12]}…), trained on "
              f"{entry['trained_on']}; {entry['score_name']} {entry['score']:.4f}")
    return model


def train(name: str) -> dict:
    """Train judge `name` from its recipe, deterministically, save it into `gankit/weights/` and
    pin its hash in the manifest. Returns its manifest entry."""
    from gankit import runtime

    if runtime.smoke():
        raise RuntimeError("train: a judge trained on smoke data judges nothing: unset "
                           "GANKIT_SMOKE")
    if name not in RECIPES:
        raise ValueError(f"train: unknown judge {name!r}; known: {sorted(RECIPES)}")
    recipe = RECIPES[name]
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    started = time.time()
    trainer = (_train_rotation if "faces" in recipe else
               _train_attributes if "attributes" in recipe or "ages" in recipe else
               _train_domains if "pair" in recipe else _train_classifier)
    # (judge, score, what it was trained on, the score's name[, more manifest fields])
    judge, score, trained_on, score_name, *more = trainer(recipe)
    WEIGHTS.mkdir(exist_ok=True)
    path = WEIGHTS / f"{name}.keras"
    judge.save(path)
    entry = dict(file=path.name, sha256=sha256(path), weights_sha256=weights_digest(judge),
                 trained_on=trained_on, score_name=score_name, score=score,
                 seconds=round(time.time() - started, 1),
                 command=f"python -m gankit train-judges {name}", date=time.strftime("%Y-%m-%d"),
                 tensorflow=tf.__version__, keras=keras.__version__, **dict(*more))
    entries = manifest()
    entries[name] = entry
    MANIFEST.write_text(json.dumps(dict(sorted(entries.items())), indent=2) + "\n")
    print(f"{name}: {score_name} {score:.4f}; wrote {path} ({entry['sha256'][:12]}…)")
    return entry


def accuracy(model: keras.Model, images, labels) -> float:
    """The share of `images` whose most probable class under `model` is `labels`."""
    probabilities = model.predict(images, batch_size=512, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def fit_classifier(dataset: str, build=classifier_model, epochs: int = 3, cosine: bool = False,
                   **fit) -> tuple[keras.Model, float]:
    """`build` trained on `dataset`'s real training images (`data.image_arrays`; Adam 1e-3,
    batch 128; cosine: the learning rate falls to 0 over the run), and its test accuracy."""
    from gankit import data

    x_train, y_train = data.image_arrays(dataset, "train")
    x_test, y_test = data.image_arrays(dataset, "test")
    x_train, x_test = data.to_float(x_train), data.to_float(x_test)
    model = build(x_train.shape[1:], int(y_train.max()) + 1)
    rate = keras.optimizers.schedules.CosineDecay(1e-3, epochs * -(-len(x_train) // 128)) \
        if cosine else 1e-3
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=epochs, **fit)
    return model, accuracy(model, x_test, y_test)


def fit_rotation(images, held_out, epochs: int = 5, **fit) -> tuple[keras.Model, float]:
    """`rotation_model` trained to tell how far each of `images` (float, [-1, 1]) is rotated,
    and its rotation accuracy on `held_out`, real images it never saw."""
    x, y = rotated(images)
    model = rotation_model(images.shape[1:])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=epochs, shuffle=True, **fit)
    return model, accuracy(model, *rotated(held_out))


def fit_attributes(images, targets, held_out, held_out_targets, regression: bool = False,
                   epochs: int = 10, **fit) -> tuple[keras.Model, float]:
    """`attribute_model` trained on real `images` (float, [-1, 1]) and their `targets`, (N, K)
    0/1 attributes or, with `regression`, (N,) numbers (Adam 1e-3, batch 64, binary
    cross-entropy or mean absolute error), and its score on `held_out`: the mean accuracy over
    the K attributes, or the mean absolute error."""
    y, y_held = (np.asarray(t, "float32").reshape(len(t), -1) for t in (targets, held_out_targets))
    if regression:
        model = attribute_model(images.shape[1:], 1, True, float(y.mean()), float(y.std()) or 1.0)
        loss, metric = "mae", "mae"
    else:
        model = attribute_model(images.shape[1:], y.shape[1])
        loss, metric = "binary_crossentropy", "binary_accuracy"
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, metrics=[metric])
    model.fit(images, y, batch_size=64, epochs=epochs, shuffle=True, **fit)
    return model, float(model.evaluate(held_out, y_held, batch_size=512, verbose=0)[1])


def _without_optimizer(model: keras.Model) -> keras.Model:
    """The same network and weights, uncompiled: the saved file carries no optimizer state."""
    judge = keras.Model.from_config(model.get_config())
    judge.set_weights(model.get_weights())
    return judge


def _train_classifier(recipe):
    from gankit import data

    build, epochs = recipe["model"], recipe["epochs"]
    n_train, n_test = (len(data.image_arrays(recipe["dataset"], split)[1])
                       for split in ("train", "test"))
    model, score = fit_classifier(recipe["dataset"], build, epochs, recipe.get("cosine", False),
                                  verbose=2)
    judge = _without_optimizer(model)
    return (judge, score,
            f"the {n_train:,} {recipe['dataset']} training images, {epochs} epochs, seed {SEED}, "
            f"{build.__name__}", f"accuracy on the {n_test:,} test images")


def _train_rotation(recipe):
    from gankit import data

    set_name, size, options = recipe["faces"]
    faces = data.faces(set_name, size, held_out=250, seed=SEED, **options)
    images, held_out = data.to_float(faces.sample), data.to_float(faces.held_out)
    model, score = fit_rotation(images, held_out, recipe["epochs"], verbose=2)
    judge = _without_optimizer(model)
    return (judge, score,
            f"{len(images):,} {set_name} faces at {size}×{size} ({faces.source}), each at 0/90/180/"
            f"270°, {recipe['epochs']} epochs, seed {SEED}",
            f"rotation accuracy on {len(held_out)} held-out faces")


def _train_attributes(recipe):
    from gankit import data

    size, epochs = recipe["size"], recipe["epochs"]
    if "ages" in recipe:
        images, ages = data.utkface(size)
        (x, y), (x_held, y_held) = data.split_held_out(data.to_float(images), len(images) // 6,
                                                       seed=SEED, labels=ages)
        what, score_name = "UTKFace faces with their ages", "mean absolute error in years"
    else:
        faces = data.celeba_attributes(size, crop_box=AGING_BOX, held_out=recipe["held_out"],
                                       seed=SEED)
        columns = [faces.label_names.index(name) for name in recipe["attributes"]]
        x, x_held = data.to_float(faces.sample), data.to_float(faces.held_out)
        y, y_held = faces.sample_labels[:, columns], faces.held_out_labels[:, columns]
        what = f"CelebA faces with {', '.join(recipe['attributes'])}"
        score_name = "mean accuracy over the attributes"
    regression = "ages" in recipe
    model, score = fit_attributes(x, y, x_held, y_held, regression, epochs, verbose=2)
    judge = _without_optimizer(model)
    return (judge, score,
            f"{len(x):,} {what} at {size}×{size}, {epochs} epochs, seed {SEED}",
            f"{score_name} on {len(x_held)} held-out faces")


def data_digest(images, targets) -> str:
    """SHA-256 of a judge's training images and targets: a shipped judge of notebooks 12 and 13 is
    used only on the very images it was trained on (`metrics.attribute_network`)."""
    digest = hashlib.sha256(np.ascontiguousarray(images, "float32").tobytes())
    digest.update(np.ascontiguousarray(targets, "float32").tobytes())
    return digest.hexdigest()


def domain_data(recipe):
    """A two-set judge's (images, targets, held-out images, held-out targets) as notebooks 12
    and 13 build them: `data.unpaired`, the notebook's held-out split (seed 0), and for 12 a
    batch of random crops of each training set and the centre crops of the held-out images."""
    from gankit import data

    a, b = data.unpaired(recipe["pair"], recipe["size"])
    (a, held_a), (b, held_b) = (data.split_held_out(x, n, seed=SEED)
                                for x, n in zip((a, b), recipe["held_out"]))
    if "crops" in recipe:  # 12: A = paintings, B = photos; label 1 = painting
        side, count, seed = recipe["crops"]
        off = (recipe["size"] - side) // 2
        images = np.concatenate([next(iter(data.random_crops(x, side, count, seed=s))).numpy()
                                 for x, s in ((b, seed), (a, seed + 1))])
        held = np.concatenate([data.to_float(x[:, off:off + side, off:off + side])
                               for x in (held_b, held_a)])
        return (images, np.repeat([0, 1], count), held,
                np.repeat([0, 1], [len(held_b), len(held_a)]))
    return (data.to_float(np.concatenate([a, b])), np.repeat([0, 1], [len(a), len(b)]),  # 13: X, Y
            data.to_float(np.concatenate([held_a, held_b])),
            np.repeat([0, 1], [len(held_a), len(held_b)]))


def _train_domains(recipe):
    images, y, held, y_held = domain_data(recipe)
    model, score = fit_attributes(images, y, held, y_held, False, recipe["epochs"], verbose=2)
    return (_without_optimizer(model), score,
            f"{len(images):,} images of the {recipe['pair']} pair at {images.shape[1]}×"
            f"{images.shape[2]} (two sets, label 0/1), {recipe['epochs']} epochs, seed {SEED}",
            f"accuracy on {len(held)} held-out images", {"data_sha256": data_digest(images, y)})
