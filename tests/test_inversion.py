"""Chapter 11: GAN inversion and InterFaceGAN's linear attribute directions."""

import numpy as np
import pytest

from gankit import data, inversion, metrics, models, training


def small_generator(seed=0):
    """An untrained G whose images change clearly with z (16×16×3)."""
    import keras

    keras.utils.set_random_seed(seed)
    return models.mlp_generator(8, [64, 128], (16, 16, 3))


def test_inversion_lowers_its_loss_and_finds_a_code_close_to_the_truth():
    g = small_generator()
    z_true = np.random.default_rng(1).normal(size=(4, 8)).astype("float32") * 0.5
    targets = g.predict(z_true, verbose=0)
    start = np.random.default_rng(4).normal(size=(4, 8)).astype("float32") * 0.1
    z, losses = inversion.invert(g, targets, steps=150, learning_rate=0.05, clip=None, init=start)
    assert losses[-1] < 0.5 * losses[0]
    before = metrics.similarity(g.predict(start, verbose=0), targets)["ssim"].mean()
    after = metrics.similarity(g.predict(z, verbose=0), targets)["ssim"].mean()
    assert after > before


def test_inversion_with_the_books_settings_runs_and_keeps_the_best_code():
    g = small_generator()
    targets = g.predict(np.random.default_rng(2).normal(size=(3, 8)).astype("float32"),
                        verbose=0)
    start = np.random.default_rng(3).normal(size=(3, 8)).astype("float32")
    z, losses = inversion.invert(g, targets, steps=20, init=start)  # lr 0.002, decay, clip ±2
    assert z.shape == (3, 8) and len(losses) == 20 and np.all(np.isfinite(losses))
    assert not np.allclose(z, start)


def test_inversion_rejects_bad_input():
    g = small_generator()
    with pytest.raises(ValueError, match="expected images of shape"):
        inversion.invert(g, np.zeros((2, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="init"):
        inversion.invert(g, np.zeros((2, 16, 16, 3), "float32"), init=np.zeros((3, 8)))
    with pytest.raises(TypeError, match="uint8"):
        inversion.invert(g, np.zeros((2, 16, 16, 3), "uint8"))


def test_encoder_learns_to_guess_codes():
    g = small_generator()
    z = training.Noise(8, "normal", seed=0)
    encoder = inversion.train_encoder(g, z, samples=2048, epochs=8)
    test = z.fixed(64, seed=9)
    guess = encoder.predict(g.predict(test, verbose=0), verbose=0)
    assert np.mean((guess - test) ** 2) < 0.5 * np.mean(test ** 2)  # better than guessing 0


def test_boundary_recovers_a_known_linear_direction():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=20)
    truth /= np.linalg.norm(truth)
    z = rng.normal(size=(5000, 20))
    scores = z @ truth + 0.05 * rng.normal(size=5000)
    normal, accuracy = inversion.train_boundary(z, scores, ratio=0.05)
    assert float(normal @ truth) > 0.95 and accuracy > 0.95
    assert np.isclose(np.linalg.norm(normal), 1.0, atol=1e-5)
    # Scores of the opposite sign: the direction flips.
    assert float(inversion.train_boundary(z, -scores, ratio=0.05)[0] @ truth) < -0.95


def test_boundary_rejects_too_few_samples():
    with pytest.raises(ValueError, match="per side"):
        inversion.train_boundary(np.zeros((50, 3)), np.arange(50), ratio=0.02)


def test_linear_interpolate_places_codes_at_the_asked_distances():
    normal = np.array([0.6, 0.8, 0.0], "float32")
    z = np.array([1.0, 2.0, 3.0], "float32")
    codes = inversion.linear_interpolate(z, normal, -3, 3, 7)
    np.testing.assert_allclose(codes @ normal, np.linspace(-3, 3, 7), atol=1e-5)
    # Only the component along the normal changes.
    residual = codes - (codes @ normal)[:, None] * normal
    np.testing.assert_allclose(residual, np.tile(residual[0], (7, 1)), atol=1e-5)


def test_project_boundary_removes_the_condition():
    rng = np.random.default_rng(0)
    primary, condition = rng.normal(size=10), rng.normal(size=10)
    condition /= np.linalg.norm(condition)
    direction = inversion.project_boundary(primary, condition)
    assert abs(float(direction @ condition)) < 1e-5
    assert np.isclose(np.linalg.norm(direction), 1.0, atol=1e-5)
    assert float(direction @ primary) > 0
    with pytest.raises(ValueError, match="span"):
        inversion.project_boundary(condition, condition)


def test_similarity_is_one_for_identical_images_and_lower_otherwise():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (3, 16, 16, 3)).astype("float32")
    same = metrics.similarity(x, x)
    assert np.allclose(same["ssim"], 1.0) and np.all(same["psnr"] == 100.0)
    other = metrics.similarity(x[::-1], x)
    assert other["ssim"][0] < 0.5 and other["psnr"][0] < 20


def test_attribute_network_learns_a_visible_attribute_and_regression():
    rng = np.random.default_rng(0)
    bright = rng.random(400) < 0.5
    images = rng.uniform(-1, -0.2, (400, 16, 16, 3)).astype("float32")
    images[bright] += 1.0
    labels = np.stack([bright, ~bright], 1)
    model = metrics.attribute_network("toy", images[:300], labels[:300], images[300:],
                                      labels[300:])
    assert model.output.shape[-1] == 2
    assert np.mean((model.predict(images[300:], verbose=0) > 0.5) == labels[300:]) > 0.9
    values = images.mean(axis=(1, 2, 3)) * 50 + 40
    reg = metrics.attribute_network("toy_age", images[:300], values[:300], images[300:],
                                    values[300:], regression=True)
    assert reg.output.shape[-1] == 1
    with pytest.raises(ValueError, match="do not match"):
        metrics.attribute_network("bad", images[:10], labels[:9], images[:5], labels[:5])


def test_utkface_and_split_with_labels(no_data):
    images, ages = data.utkface(32)
    assert images.shape[1:] == (32, 32, 3) and len(ages) == len(images)
    (a, la), (b, lb) = data.split_held_out(images, 10, labels=ages)
    assert len(b) == len(lb) == 10 and len(a) == len(la) == len(images) - 10


def test_utkface_without_data_in_full_mode_says_how(no_data, monkeypatch):
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    with pytest.raises(data.DatasetUnavailable, match="UTKFace"):
        data.utkface(32)


def test_utkface_from_the_downloaded_archive(tmp_path, no_data):
    import tarfile

    from PIL import Image

    folder = tmp_path / "UTKFace"  # as UTKFace.tar.gz unpacks: UTKFace/<age>_….jpg.chip.jpg
    folder.mkdir()
    for i, age in enumerate((1, 35, 80)):
        Image.fromarray(np.full((200, 200, 3), 40 * i, np.uint8)).save(
            folder / f"{age}_0_{i}_20170109150557335.jpg.chip.jpg")
    with tarfile.open(tmp_path / "UTKFace.tar.gz", "w:gz") as tar:
        tar.add(folder, arcname="UTKFace")
    images, ages = data.utkface(32, folder=tmp_path / "UTKFace.tar.gz")
    assert images.shape == (3, 32, 32, 3) and sorted(ages) == [1, 35, 80]
    assert data.utkface(32, folder=tmp_path / "UTKFace.tar.gz")[0].shape == (3, 32, 32, 3)
    (tmp_path / "broken.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(data.DatasetUnavailable, match="cannot be unpacked"):
        data.utkface(32, folder=tmp_path / "broken.tar.gz")
