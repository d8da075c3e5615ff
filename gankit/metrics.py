"""Quality numbers: how close generated samples are to the real data.

- Notebook 01 (points): `sine_error`, the mean |y − sin x| of generated points, their coverage of
  [0, 2π), and `mmd` between generated and real points.
- Notebook 02 (curves): `sinusoid_fit`, each curve's distance to the closest true sinusoid.
- Image chapters: a Fréchet distance and a kernel inception distance (KID) on the features of a
  small classifier trained here on the real data (the ideas of FID and KID, with a network that
  works offline), plus how many generated samples that classifier recognises with confidence.
  Values compare only within one classifier: always read them next to the floor (real vs real)
  and the ceiling (an untrained generator).
"""

from __future__ import annotations

import json
import os
import warnings
import zlib

import keras
import numpy as np
import tensorflow as tf
from scipy import linalg

from gankit import checks, data, judges, live, runtime
from gankit.judges import ROTATIONS, rotated, rotation_model  # noqa: F401  (public here too)

CONFIDENT = 0.9  # a sample counts as "recognised" when the classifier's top probability ≥ this


# ---------------------------------------------------------------------------- points and curves

def _points(samples):
    arr = np.asarray(samples, dtype="float64")
    if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) == 0:
        raise ValueError(f"points: expected shape (N, 2) with N ≥ 1, got {arr.shape}")
    return arr


def sine_error(samples) -> float:
    """Mean |y − sin x| over generated points (x, y): 0 when every point lies on the curve."""
    arr = _points(samples)
    return float(np.mean(np.abs(arr[:, 1] - np.sin(arr[:, 0]))))


def sine_coverage(samples, bins: int = 32) -> float:
    """Share of the `bins` equal slices of [0, 2π) that hold at least one generated x."""
    x = _points(samples)[:, 0]
    hist, _ = np.histogram(x, bins=bins, range=(0.0, 2 * np.pi))
    return float(np.mean(hist > 0))


def mmd(a, b, bandwidth: float | None = None) -> float:
    """Squared maximum mean discrepancy with a Gaussian kernel (0 for identical samples).

    bandwidth: the kernel's length scale; by default the median distance between all points.
    """
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"mmd: expected two (N, d) arrays with the same d, got {a.shape}, "
                         f"{b.shape}")
    both = np.concatenate([a, b])
    sq = np.sum((both[:, None, :] - both[None, :, :]) ** 2, axis=-1)
    if bandwidth is None:
        bandwidth = float(np.sqrt(np.median(sq[sq > 0]))) if np.any(sq > 0) else 1.0
    k = np.exp(-sq / (2 * bandwidth**2))
    n = len(a)
    return float(k[:n, :n].mean() + k[n:, n:].mean() - 2 * k[:n, n:].mean())


def sinusoid_fit(curves, x, b_range=(0.5, 2.0), c_range=(0.0, np.pi), n_b=61, n_c=64):
    """Fit every curve with the closest sin(b·x + c) on a grid of b and c.

    Returns `(rmse, b, c)`, one value per curve. The median RMSE of real curves is the grid's
    resolution floor (≈ 0.02); noise scores ≈ 0.8.
    """
    curves = np.asarray(curves, "float64")
    x = np.asarray(x, "float64")
    if curves.ndim != 2 or curves.shape[1] != len(x):
        raise ValueError(f"curves: expected shape (N, {len(x)}), got {curves.shape}")
    bs = np.linspace(*b_range, n_b)
    cs = np.linspace(*c_range, n_c)
    grid_b, grid_c = np.meshgrid(bs, cs, indexing="ij")
    templates = np.sin(grid_b.reshape(-1, 1) * x + grid_c.reshape(-1, 1))  # (n_b·n_c, L)
    # ‖u − t‖² = ‖u‖² − 2 u·t + ‖t‖², for all curve/template pairs at once
    d2 = (np.sum(curves**2, 1)[:, None] - 2 * curves @ templates.T
          + np.sum(templates**2, 1)[None, :])
    best = np.argmin(d2, axis=1)
    rmse = np.sqrt(np.maximum(d2[np.arange(len(curves)), best], 0) / len(x))
    return rmse, grid_b.reshape(-1)[best], grid_c.reshape(-1)[best]


# ---------------------------------------------------------------------------- image classifiers

# Training epochs per dataset: MNIST and Fashion-MNIST have 60,000 training images, the
# CIFAR-10 subset of the offline pack 10,000.
CLASSIFIER_EPOCHS = {"mnist": 3, "fashion_mnist": 5, "cifar10": 15}


def classifier(name: str = "mnist", epochs: int | None = None, verbose: int = 1) -> keras.Model:
    """The evaluation classifier of dataset `name`.

    Where gankit ships one (`judges.shipped(name)`: MNIST, Fashion-MNIST), that one, checked
    against its pinned hash, so that a generator gets the same number on every machine.
    Otherwise it is trained once on the real training images and cached in
    `runtime.cache_dir()`; its test accuracy is printed. In smoke mode that training is brief
    and not cached. epochs: training epochs (default: `CLASSIFIER_EPOCHS[name]`).
    """
    if judges.shipped(name) and epochs is None:
        return judges.load(name, verbose=verbose)
    epochs = epochs or CLASSIFIER_EPOCHS.get(name, 3)

    def train():
        model, accuracy = judges.fit_classifier(name, epochs=1 if runtime.smoke() else epochs,
                                                verbose=0, callbacks=[live.FitProgress()])
        return model, accuracy, ""

    return _cached_network(runtime.cache_dir() / f"{name}_classifier.keras", "test_accuracy",
                           f"{name} evaluation classifier", "test accuracy", train, epochs,
                           verbose)


def _cached_network(path, key, title, label, train, epochs, verbose):
    """The model `train()` returns (with its accuracy and a note on what it trained on), trained
    once and cached at `path` (+ a .json with the accuracy under `key`); in smoke mode it is
    trained every time and not cached. Prints "<title>: loaded from cache | trained, <label> x"."""
    info = path.with_suffix(".json")
    if not runtime.smoke() and path.is_file() and info.is_file():
        if verbose:
            print(f"{title}: loaded from cache, {label} "
                  f"{json.loads(info.read_text())[key]:.4f}")
        return keras.models.load_model(path)
    model, accuracy, note = train()
    if verbose:
        print(f"{title}: trained{note}, {label} {accuracy:.4f}")
    if not runtime.smoke():
        model.save(path)
        info.write_text(json.dumps({key: accuracy, "epochs": epochs}))
    return model


def _cache_path(name, images, epochs, kind, extra=b""):
    """Where a network trained on `images` (and `extra` bytes, e.g. its targets) is cached: the
    name, the images' side, count and a cheap checksum, and the epochs."""
    side = "x".join(map(str, images.shape[1:3]))
    tag = zlib.crc32(np.ascontiguousarray(images[::97]).tobytes() + extra)  # which images
    return runtime.cache_dir() / f"{name}_{side}_{len(images)}_{tag:08x}_{epochs}ep_{kind}.keras"


def classifier_outputs(model: keras.Model, images):
    """(features, probabilities) of `images` (float, in [-1, 1]) under an evaluation classifier."""
    images = data.check_images(images, "images", shape=model.input.shape[1:])
    both = keras.Model(model.input, [model.get_layer("features").output, model.output])
    # Called batch by batch: `predict` would trace a new function for every new `both`.
    outputs = [both(images[i:i + 512], training=False) for i in range(0, len(images), 512)]
    features, probs = (np.concatenate([np.asarray(o[k]) for o in outputs]) for k in (0, 1))
    return features.astype("float64"), probs.astype("float64")


def unit_features(model: keras.Model, images):
    """`classifier_outputs` with each feature vector scaled to length √d, so that KID's cubic
    kernel (x·y / d + 1)³ stays in range whatever the network's feature scale."""
    features, probs = classifier_outputs(model, images)
    norms = np.linalg.norm(features, axis=1, keepdims=True) + 1e-8
    return features / norms * np.sqrt(features.shape[1]), probs


def frechet_distance(features_a, features_b) -> float:
    """‖μa − μb‖² + Tr(Σa + Σb − 2(ΣaΣb)^½): FID's formula on any two feature sets."""
    a, b = np.asarray(features_a, "float64"), np.asarray(features_b, "float64")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"frechet_distance: expected two (N, d) arrays with the same d, got "
                         f"{a.shape} and {b.shape}")
    if min(len(a), len(b)) < 2:
        raise ValueError("frechet_distance: need at least 2 samples on each side")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():  # a near-singular product is handled just below
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_a @ cov_b)
    if not np.all(np.isfinite(covmean)):  # singular product: regularise, as FID code does
        eps = 1e-6 * np.eye(len(cov_a))
        covmean = linalg.sqrtm((cov_a + eps) @ (cov_b + eps))
    covmean = np.real(covmean)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * covmean))


_INCEPTION_WEIGHTS = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"


def inception_features(images, batch_size: int = 64) -> np.ndarray:
    """2048 InceptionV3 (ImageNet) features per image, for the standard FID and KID.

    images: float, in [-1, 1] (InceptionV3's own input range), grey or colour; resized to 299×299.
    Keras downloads the ImageNet weights (about 90 MB) on first use, so this needs the network
    once (Colab has it); offline, without the cached weights, it fails at once with that message.
    Use `frechet_distance` and `kid` on the result.
    """
    from pathlib import Path

    images = data.check_images(images, "images")
    cached = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models" / \
        _INCEPTION_WEIGHTS
    if not cached.is_file() and not data.online():
        raise data.DatasetUnavailable(
            "inception_features needs InceptionV3's ImageNet weights, which Keras downloads once "
            f"into {cached.parent}, and there is no network. Run it where the network is up "
            "(Colab), or use the features of gankit.metrics.classifier(...) or "
            "feature_network(...), which work offline.")
    model = keras.applications.InceptionV3(include_top=False, pooling="avg", weights="imagenet")
    feats = []
    for start in range(0, len(images), batch_size):
        batch = tf.image.resize(images[start:start + batch_size], (299, 299))
        if batch.shape[-1] == 1:
            batch = tf.image.grayscale_to_rgb(batch)
        feats.append(model(batch, training=False).numpy())
    return np.concatenate(feats).astype("float64")


def kid(features_a, features_b, subsets: int = 50, subset_size: int = 1000, seed: int = 0) -> float:
    """Kernel inception distance's formula on any two feature sets (lower is better; 0 is ideal).

    The unbiased squared MMD with the cubic kernel k(x, y) = (x·y / d + 1)³ (Bińkowski et al.,
    2018), averaged over `subsets` random subsets of `min(subset_size, len)` samples per side.
    Unlike the Fréchet distance it has no bias from the sample size, so sets of a few hundred
    images compare fairly; it can be slightly negative when the two sets are alike.
    """
    a, b = np.asarray(features_a, "float64"), np.asarray(features_b, "float64")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"kid: expected two (N, d) arrays with the same d, got {a.shape} and "
                         f"{b.shape}")
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError("kid: need at least 2 samples on each side")
    rng, d, values = np.random.default_rng(seed), a.shape[1], []
    for _ in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx, kyy, kxy = ((x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3)
        off_diagonal = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        values.append(off_diagonal - 2 * kxy.mean())
    return float(np.mean(values))


def classifier_scores(model: keras.Model, images, reference_images) -> dict:
    """Scores of generated `images` against real `reference_images` (e.g. the test split).

    fd: Fréchet distance between the two sets' classifier features (lower is better);
    kid: KID between the same features (lower is better; fair across sample sizes);
    recognised: share of images the classifier assigns to a class with probability ≥ 0.9;
    confidence: mean top-class probability;
    label_entropy: entropy of the predicted-class histogram ÷ ln(classes): 1 = all classes
        equally present, 0 = one class only (with high confidence, that is mode collapse);
    classes: how many classes make up at least 2 % of the images.
    """
    return _scores(model, images, classifier_outputs(model, reference_images)[0])


def _scores(model, images, ref_feats) -> dict:
    """`classifier_scores` against reference features already computed."""
    feats, probs = classifier_outputs(model, images)
    n_classes = probs.shape[1]
    share = np.bincount(probs.argmax(1), minlength=n_classes) / len(probs)
    nonzero = share[share > 0]
    return {
        "fd": frechet_distance(feats, ref_feats),
        "kid": kid(feats, ref_feats),
        "recognised": float(np.mean(probs.max(1) >= CONFIDENT)),
        "confidence": float(probs.max(1).mean()),
        "label_entropy": float(-(nonzero * np.log(nonzero)).sum() / np.log(n_classes)),
        "classes": int(np.sum(share >= 0.02)),
        # share confidently assigned to class 0: "upright" under a feature_network
        "upright": float(np.mean((probs.argmax(1) == 0) & (probs.max(1) >= CONFIDENT))),
    }


def compare(model: keras.Model, candidates: dict, reference_images,
            seconds: dict | None = None) -> dict:
    """Score several image sets against `reference_images` and print one table.

    candidates: name → images in [-1, 1], e.g. the floor (real images the generators never
        saw), the ceiling (an untrained generator) and each trained generator.
    seconds: name → training seconds, shown as minutes beside the scores.
    Returns name → `classifier_scores(...)`. Under a `feature_network` the table shows the
    share of images it sees as upright instead of the class columns.
    """
    seconds = seconds or {}
    classes = model.name != "rotation_network"  # a feature_network has no classes to count
    width = max(len(name) for name in candidates) + 2
    print(f"{'':{width}s}{'FD':>9s}{'KID×1000':>10s}"
          + (f"{'recognised':>12s}{'entropy':>9s}{'classes':>9s}" if classes else
             f"{'upright':>9s}") + f"{'train':>9s}")
    ref_feats, _ = classifier_outputs(model, reference_images)  # once for every candidate
    scores = {}
    for name, images in candidates.items():
        s = scores[name] = _scores(model, images, ref_feats)
        shown = f"{seconds[name] / 60:6.1f} m" if name in seconds else ""
        print(f"{name:{width}s}{s['fd']:9.2f}{1000 * s['kid']:10.2f}"
              + (f"{s['recognised']:12.3f}{s['label_entropy']:9.3f}{s['classes']:9d}"
                 if classes else f"{s['upright']:9.3f}") + f"{shown:>9s}")
    return scores


# ------------------------------------------------------------ sets without labels (faces)

def feature_network(name: str, images, held_out, epochs: int = 5,
                    verbose: int = 1) -> keras.Model:
    """A CNN trained here to tell how far real `images` are rotated (0/90/180/270°).

    Face sets have no class labels to train a classifier on. Predicting the rotation of an
    image is a task without labels (Gidaris et al., 2018) that needs the network to find eyes,
    mouth and hair, so its 128 features describe what a face looks like; they serve the
    Fréchet distance and KID as Inception's do for the standard FID. `compare` scores with it;
    its "upright" column is then the share of images it sees, confidently, as upright.
    The network's accuracy on `held_out` (real images it never saw) is printed.
    Where gankit ships one for `name` at this side (`judges.shipped("celeba_64")`, ...), that one,
    checked against its pinned hash: the same number for the same G on every machine. Otherwise
    it is cached in `runtime.cache_dir()` under `name`, the images' shape, count and checksum, and
    `epochs`; in smoke mode it trains one epoch and is not cached.
    """
    images = data.check_images(images, "images")
    held_out = data.check_images(held_out, "held_out", shape=images.shape[1:])
    shipped = f"{name}_{images.shape[1]}"
    if judges.shipped(shipped) and epochs == judges.RECIPES[shipped]["epochs"]:
        model = judges.load(shipped, verbose=verbose)
        if verbose:
            print(f"{name} feature network: rotation accuracy "
                  f"{judges.accuracy(model, *rotated(held_out)):.4f} on these "
                  f"{len(held_out)} held-out images")
        return model
    path = _cache_path(name, images, epochs, "rotation")

    def train():
        keras.utils.set_random_seed(0)
        model, accuracy = judges.fit_rotation(images, held_out, 1 if runtime.smoke() else epochs,
                                              verbose=0, callbacks=[live.FitProgress()])
        return model, accuracy, f" on {len(images) * ROTATIONS} rotated real images"

    return _cached_network(path, "held_out_accuracy", f"{name} feature network",
                           f"rotation accuracy on {len(held_out)} held-out images", train,
                           epochs, verbose)


def attribute_network(name: str, images, targets, held_out, held_out_targets, *,
                      regression: bool = False, epochs: int = 10, labels=None,
                      verbose: int = 1) -> keras.Model:
    """A CNN that reads labels off real images: K binary attributes (K sigmoid outputs, e.g.
    CelebA's "Young", "Male", "Smiling") or, with `regression`, one number (e.g. the age in
    years); `judges.attribute_model`.

    targets: (N, K) bools/0–1 or (N,) numbers; `labels`: the names of the K attributes. Where
    gankit ships a judge for `name` at this side (`judges.shipped("celeba_attributes_32")`, for
    the same `labels` and `epochs`; for the two-set judges of notebooks 12 and 13, the very
    images it was trained on), that one, checked against its pinned hash. Otherwise it is
    trained here (images flipped left–right at random) and cached in `runtime.cache_dir()` like
    `feature_network`; in smoke mode it trains one epoch and is not cached. Prints the mean
    accuracy (or the mean absolute error) on `held_out`, real images it never saw.
    """
    images = data.check_images(images, "images")
    held_out = data.check_images(held_out, "held_out", shape=images.shape[1:])
    y, y_held = (np.asarray(t, "float32") for t in (targets, held_out_targets))
    y, y_held = (t.reshape(len(t), -1) for t in (y, y_held))
    if len(y) != len(images) or len(y_held) != len(held_out) or y.shape[1] != y_held.shape[1]:
        raise ValueError(f"targets {y.shape} / held_out_targets {y_held.shape} do not match "
                         f"the images {images.shape[0]} / {held_out.shape[0]}")
    label = "mean absolute error" if regression else "mean accuracy"
    shipped = f"{name}_{images.shape[1]}"
    recipe = judges.RECIPES.get(shipped, {})
    entry = judges.manifest().get(shipped, {})
    if (entry and epochs == recipe["epochs"]
            and tuple(labels or ()) == tuple(recipe.get("attributes", ()))
            and entry.get("data_sha256") in (None, judges.data_digest(images, y))):
        # (a two-set judge of 12 or 13: only on the very images it was trained on)
        model = judges.load(shipped, verbose=verbose)
        if model.output.shape[-1] != y.shape[1]:
            raise ValueError(f"attribute_network: the shipped judge {shipped!r} has "
                             f"{model.output.shape[-1]} outputs, the targets {y.shape[1]}")
        if verbose:
            answer = model.predict(held_out, batch_size=512, verbose=0)
            held = (np.abs(answer - y_held).mean() if regression
                    else np.mean((answer > 0.5) == (y_held > 0.5)))
            print(f"{name} attribute network: {label} {held:.4f} on these {len(held_out)} "
                  f"held-out images")
        return model
    path = _cache_path(name, images, epochs, "labels", y.tobytes())

    def train():
        keras.utils.set_random_seed(0)
        model, score = judges.fit_attributes(images, y, held_out, y_held, regression,
                                             1 if runtime.smoke() else epochs, verbose=0,
                                             callbacks=[live.FitProgress()])
        return model, score, f" on {len(images)} labelled real images"

    return _cached_network(path, "held_out_score", f"{name} attribute network",
                           f"{label} on {len(held_out)} held-out images", train, epochs, verbose)


def nearest_neighbours(samples, images):
    """For each sample, the index of the closest image of `images` and the RMS pixel distance.

    The memorisation check: a GAN that copies its training images puts its samples much closer
    to them than real images it never saw are. Compare `nearest_neighbours(samples, train)` with
    `nearest_neighbours(held_out, train)`.
    """
    a = data.check_images(samples, "samples").reshape(len(samples), -1).astype("float64")
    b = data.check_images(images, "images", shape=np.shape(samples)[1:])
    b = b.reshape(len(b), -1).astype("float64")
    b_norms = (b ** 2).sum(1)
    index, dist = [], []
    for start in range(0, len(a), 256):
        chunk = a[start:start + 256]
        d2 = (chunk ** 2).sum(1)[:, None] - 2 * chunk @ b.T + b_norms[None, :]
        best = d2.argmin(1)
        index.append(best)
        dist.append(np.sqrt(np.maximum(d2[np.arange(len(chunk)), best], 0) / a.shape[1]))
    return np.concatenate(index), np.concatenate(dist)


def memorisation(samples, train_images, held_out) -> dict:
    """Are the samples copies of training images? Medians of nearest-neighbour distances.

    sample_distance: median RMS pixel distance from each sample to its nearest training image;
    held_out_distance: the same for real images never trained on (what "new" looks like);
    ratio: sample / held-out. Near or above 1: the samples are as far from the training set as
    new real faces are; far below 1 (say < 0.5): G reproduces training images.
    index, distances: per sample, for `plots.neighbours`.
    """
    index, distances = nearest_neighbours(samples, train_images)
    _, held = nearest_neighbours(held_out, train_images)
    sample_median, held_median = float(np.median(distances)), float(np.median(held))
    print(f"nearest training image, median RMS distance: samples {sample_median:.3f}, held-out "
          f"real images {held_median:.3f} (ratio {sample_median / held_median:.2f})")
    return {"sample_distance": sample_median, "held_out_distance": held_median,
            "ratio": sample_median / held_median, "index": index, "distances": distances}


FLOOR, CEILING, TRAINED = "held-out real images (floor)", "untrained G (ceiling)", "trained G"
BASELINE = "PCA Gaussian (baseline)"


def face_report(name: str, generator, untrained_generator, z, images, held_out,
                seconds: float | None = None, inception: bool = True) -> dict:
    """The evaluation of an image set without labels (notebooks 08–10), in one call.

    Trains (or loads) `feature_network(name, images, held_out)`, prints `compare`'s table for the
    held-out real images (floor), `untrained_generator` (ceiling), `gaussian_baseline` (a non-GAN
    baseline) and `generator`, the generators on latent batch `z`, each one's `detail` as a ratio
    to the held-out images', and the `memorisation` check.
    With `inception`, outside smoke mode, it adds the standard Inception KID where the weights can
    be had (Colab), and says why not otherwise.
    Returns {"metrics": flat numbers for `results.record`, "samples": G's images,
    "memorisation": `memorisation`'s dict, "scores": `compare`'s dict}.
    """
    features = feature_network(name, images, held_out)
    samples = generator.predict(z, verbose=0)
    candidates = {FLOOR: held_out, CEILING: untrained_generator.predict(z, verbose=0),
                  BASELINE: gaussian_baseline(images, len(samples)), TRAINED: samples}
    scores = compare(features, candidates, images,
                     seconds=None if seconds is None else {TRAINED: seconds})
    real_detail = float(np.mean(detail(held_out)))
    ratios = {key: float(np.mean(detail(candidates[key]))) / real_detail
              for key in (CEILING, BASELINE, TRAINED)}
    print("detail (variance of the Laplacian, ÷ the held-out real images'): "
          + ", ".join(f"{key} {value:.2f}" for key, value in ratios.items()))
    memo = memorisation(samples, images, held_out)
    trained, floor, ceiling = scores[TRAINED], scores[FLOOR], scores[CEILING]
    numbers = {"kid": trained["kid"], "fd": trained["fd"], "upright": trained["upright"],
               "kid_real": floor["kid"], "fd_real": floor["fd"], "upright_real": floor["upright"],
               "kid_untrained": ceiling["kid"], "fd_untrained": ceiling["fd"],
               "upright_untrained": ceiling["upright"],
               "kid_baseline": scores[BASELINE]["kid"], "fd_baseline": scores[BASELINE]["fd"],
               "upright_baseline": scores[BASELINE]["upright"],
               "n_fake": len(samples), "n_real": len(images), "n_floor": len(held_out),
               "reference": "training images", "memorisation_ratio": memo["ratio"],
               "judge_rotation_accuracy": judges.accuracy(features, *rotated(held_out)),
               "detail_ratio": ratios[TRAINED], "detail_ratio_baseline": ratios[BASELINE],
               "detail_ratio_untrained": ratios[CEILING]}
    judge = f"{name}_{images.shape[1]}"
    if judges.shipped(judge):
        numbers["judge_sha256"] = judges.manifest()[judge]["sha256"]
    if inception and not runtime.smoke():
        try:
            numbers["inception_kid"] = kid(inception_features(samples), inception_features(images))
            print(f"Inception KID×1000: {1000 * numbers['inception_kid']:.1f}")
        except data.DatasetUnavailable as error:
            print(error)
    return {"metrics": numbers, "samples": samples, "memorisation": memo, "scores": scores}


def similarity(images, references) -> dict:
    """Per-image SSIM and PSNR (scikit-image) of `images` against `references`, both in [-1, 1]
    and paired row by row: {"ssim": (N,), "psnr": (N,) in dB}. SSIM is 1 for identical images;
    PSNR is infinite then (capped at 100 dB here)."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    a = data.check_images(images, "images")
    b = data.check_images(references, "references", shape=a.shape[1:])
    if len(a) != len(b):
        raise ValueError(f"similarity: {len(a)} images for {len(b)} references")
    a, b = (a.astype("float64") + 1) / 2, (b.astype("float64") + 1) / 2
    channel = -1 if a.ndim == 4 else None
    ssim = [structural_similarity(x, y, data_range=1.0, channel_axis=channel)
            for x, y in zip(a, b)]
    psnr = [min(100.0, peak_signal_noise_ratio(y, x, data_range=1.0)) if np.any(x != y) else 100.0
            for x, y in zip(a, b)]
    return {"ssim": np.asarray(ssim), "psnr": np.asarray(psnr)}


def detail(images) -> np.ndarray:
    """Per-image detail of `images` in [-1, 1]: the variance of the Laplacian of the grey image
    (scikit-image's `laplace`; Pech-Pacheco et al., 2000), a standard measure of blur. Edges and
    texture raise it; a blurred image (a Gaussian baseline's, say) scores near 0. Read it as a
    ratio to real images': a network's features can miss blur that this number shows."""
    from skimage.color import rgb2gray
    from skimage.filters import laplace

    x = (data.check_images(images, "images").astype("float64") + 1) / 2
    grey = rgb2gray(x) if x.ndim == 4 and x.shape[-1] == 3 else x.reshape(x.shape[:3])
    return np.array([laplace(g).var() for g in grey])


def colourfulness(images) -> np.ndarray:
    """Per-image colourfulness of RGB `images` in [-1, 1] (Hasler & Süsstrunk, 2003):
    σ + 0.3·μ of the opponent channels rg = R − G and yb = (R + G)/2 − B, on a 0–255 scale.
    0 for a grey image; about 30 reads "moderately colourful", above 60 "very colourful"."""
    rgb = (data.check_images(images, "images").astype("float64") + 1) * 127.5
    if rgb.ndim != 4 or rgb.shape[-1] != 3:
        raise ValueError(f"colourfulness: expected RGB images (N, H, W, 3), got {rgb.shape}")
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg, yb = (r - g).reshape(len(rgb), -1), (0.5 * (r + g) - b).reshape(len(rgb), -1)
    sigma = np.sqrt(rg.std(axis=1) ** 2 + yb.std(axis=1) ** 2)
    mu = np.sqrt(rg.mean(axis=1) ** 2 + yb.mean(axis=1) ** 2)
    return sigma + 0.3 * mu


def interval(values, confidence: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """A bootstrap confidence interval (scipy's BCa) of the mean of per-sample `values`, e.g.
    per-image PSNR, or per-image differences between two models on the same images (paired:
    the interval of the mean difference; it excludes 0 when one model is reliably ahead)."""
    from scipy.stats import bootstrap

    values = np.asarray(values, "float64").reshape(-1)
    if len(values) < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"interval: expected at least 2 finite values, got {len(values)}")
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    result = bootstrap((values,), np.mean, confidence_level=confidence, n_resamples=2000,
                       random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def resampled_interval(statistic, *samples, resamples: int = 200, confidence: float = 0.95,
                       seed: int = 0, paired: bool = False) -> tuple[float, float, float]:
    """(statistic(*samples), low, high): a percentile bootstrap interval of a statistic of whole
    sets, such as FD(a, real) − FD(b, real), each of `samples` resampled (rows, with
    replacement) on its own. `paired=True` draws one set of rows for all of them: for sets whose
    rows belong together, such as two models' outputs for the same inputs. It covers the draw of
    the evaluated samples, not of the training."""
    samples = [np.asarray(x) for x in samples]
    if not samples or min(len(x) for x in samples) < 2:
        raise ValueError("resampled_interval: expected sets of at least 2 samples")
    if paired and len({len(x) for x in samples}) > 1:
        raise ValueError(f"resampled_interval: paired sets need the same number of rows, got "
                         f"{[len(x) for x in samples]}")
    rng = np.random.default_rng(seed)

    def draw():
        if paired:
            rows = rng.integers(0, len(samples[0]), len(samples[0]))
            return (x[rows] for x in samples)
        return (x[rng.integers(0, len(x), len(x))] for x in samples)

    values = [statistic(*draw()) for _ in range(resamples)]
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(statistic(*samples)), float(low), float(high)


def gaussian_baseline(images, n: int, components: int = 64, seed: int = 0) -> np.ndarray:
    """A generator without a GAN, for a GAN to beat: `n` images drawn from a Gaussian fitted to
    real `images` (in [-1, 1]) in the space of their first `components` principal components
    (scikit-learn's PCA), mapped back to pixels and clipped to [-1, 1]. It gets each pixel's mean
    and the main correlations between pixels right, and nothing else: blurry, average images."""
    from sklearn.decomposition import PCA

    images = data.check_images(images, "images")
    checks.positive_int(n, "gaussian_baseline: n")
    flat = images.reshape(len(images), -1).astype("float64")
    components = min(components, len(flat) - 1, flat.shape[1])
    pca = PCA(components, random_state=seed).fit(flat)
    z = np.random.default_rng(seed).normal(size=(n, components)) * np.sqrt(
        pca.explained_variance_)
    samples = pca.inverse_transform(z).reshape((n,) + images.shape[1:])
    return np.clip(samples, -1, 1).astype("float32")


def colour_transfer(images, references, seed: int = 0) -> np.ndarray:
    """A translation without a GAN, for a translating GAN to beat: each of `images` (in [-1, 1])
    with its colours remapped, channel by channel, to those of a randomly drawn image of
    `references` (the target domain), by scikit-image's `match_histograms`. The layout stays the
    input's; only the palette moves (summer → winter's whites, a photo → a painter's palette)."""
    from skimage.exposure import match_histograms

    images = data.check_images(images, "images")
    references = data.check_images(references, "references")
    if images.ndim != 4 or references.ndim != 4 or images.shape[-1] != references.shape[-1]:
        raise ValueError(f"colour_transfer: expected images (N, H, W, C) and references with the "
                         f"same channels, got {images.shape} and {references.shape}")
    drawn = np.random.default_rng(seed).integers(0, len(references), len(images))
    return np.stack([match_histograms(x, references[k], channel_axis=-1)
                     for x, k in zip(images, drawn)]).astype("float32")
