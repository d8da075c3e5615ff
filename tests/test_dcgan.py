"""The DCGAN family of chapters 08–10: builders, the MSE loss, face data, face metrics."""

import keras
import numpy as np
import pytest
from PIL import Image

import gankit
from gankit import data, losses, metrics, models, plots, training

PYTORCH_BN = dict(batchnorm_momentum=0.9, batchnorm_epsilon=1e-5)

# name: (builder, kwargs, trainable parameters in the book, output shape)
BOOK_MODELS = {
    "ch08 G": (models.dcgan_generator, dict(latent_dim=128, start_size=4,
               filters=(512, 256, 128, 64), kernel_size=4, projection="conv", init="pytorch",
               **PYTORCH_BN), 3_807_043, (64, 64, 3)),
    "ch08 D": (models.dcgan_discriminator, dict(image_size=64, filters=(64, 128, 256, 512),
               kernel_size=4, first_batchnorm=True, head="conv", init="pytorch",
               output_activation="sigmoid", **PYTORCH_BN), 2_766_657, (1,)),
    "ch09 G": (models.dcgan_generator, dict(latent_dim=100, start_size=2,
               filters=(512, 256, 128, 64), kernel_size=4, projection="dense",
               projection_norm=False, conv_bias=False, init="dcgan", **PYTORCH_BN),
               2_963_328, (32, 32, 3)),
    "ch09 D": (models.dcgan_discriminator, dict(image_size=32, filters=(64, 128, 256),
               kernel_size=4, negative_slope=0.01, conv_bias=False, init="dcgan", **PYTORCH_BN),
               663_297, (1,)),
    "ch10 G": (models.dcgan_generator, dict(latent_dim=100, start_size=4,
               filters=(512, 256, 128, 64), kernel_size=5, projection="dense"),
               5_135_363, (64, 64, 3)),
    "ch10 D": (models.dcgan_discriminator, dict(image_size=64, filters=(32, 64, 128, 256),
               kernel_size=5), 1_083_073, (1,)),
}


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize("name", BOOK_MODELS)
def test_book_models_have_the_books_parameter_counts(name):
    build, kwargs, count, out_shape = BOOK_MODELS[name]
    model = build(**kwargs)
    assert trainable(model) == count
    assert tuple(model.output.shape[1:]) == out_shape


def test_initialisations():
    g = models.dcgan_generator(100, 2, (64, 32), 4, projection="dense", init="dcgan")
    kernels = np.concatenate([w.numpy().ravel() for w in g.trainable_weights
                              if w.path.endswith("kernel")])
    assert abs(kernels.std() - 0.02) < 0.001 and abs(kernels.mean()) < 0.001
    torch_like = models.dcgan_discriminator(32, (16, 32), 4, init="pytorch")
    conv = torch_like.layers[1]
    bound = 1 / np.sqrt(3 * 4 * 4)  # PyTorch: U(±1/√fan_in) for weights and bias
    assert np.abs(conv.kernel.numpy()).max() <= bound + 1e-6
    assert np.abs(conv.bias.numpy()).max() <= bound + 1e-6 and np.any(conv.bias.numpy() != 0)
    default = models.dcgan_discriminator(32, (16, 32), 4)
    assert np.all(default.layers[1].bias.numpy() == 0)


def test_dcgan_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="projection"):
        models.dcgan_generator(8, 4, (16, 8), projection="pool")
    with pytest.raises(ValueError, match="init"):
        models.dcgan_generator(8, 4, (16, 8), init="he")
    with pytest.raises(ValueError, match="filters"):
        models.dcgan_discriminator(32, ())
    with pytest.raises(ValueError, match="head"):
        models.dcgan_discriminator(32, (8,), head="pool")


def test_mse_loss_with_beta_noise():
    loss = losses.MSE(beta_noise=(1, 5), seed=0)
    eps = np.asarray(loss.noise((50_000,)))
    assert abs(eps.mean() - 1 / 6) < 0.005 and abs(eps.std() - 0.1409) < 0.005
    ones = np.ones((1000, 1), "float32")
    # D's real term: E[(1 − (1 − ε))²] = E[ε²] = var + mean² = 5/252 + 1/36 ≈ 0.0476
    assert abs(float(loss.real(ones)) - (5 / 252 + 1 / 36)) < 0.005
    exact = losses.MSE(beta_noise=None)
    assert float(exact.real(ones)) == 0.0 and float(exact.fake(ones)) == 1.0
    assert float(exact.discriminator(ones, 0 * ones)) == 0.0
    assert float(exact.generator(0.5 * ones)) == 0.25
    with pytest.raises(ValueError, match="beta_noise"):
        losses.MSE(beta_noise=(0, 5))


@pytest.mark.parametrize("g_noise", ["fresh", "same"])
def test_one_step_of_each_chapter_config_changes_both_networks(g_noise):
    g = models.dcgan_generator(16, 4, (16, 8), 4, projection="conv", init="pytorch")
    d = models.dcgan_discriminator(16, (8, 16), 4, first_batchnorm=True, head="conv",
                                   output_activation="sigmoid")
    before = [w.numpy().copy() for w in g.trainable_weights + d.trainable_weights]
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(16, seed=0), loss=losses.MSE(seed=0),
                                    g_noise=g_noise)
    logs = step(np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype("float32"))
    assert np.isfinite(float(logs["d_loss"])) and 0 <= float(logs["d_real"]) <= 1
    after = [w.numpy() for w in g.trainable_weights + d.trainable_weights]
    n_g = len(g.trainable_weights)
    assert any(not np.array_equal(a, b) for a, b in zip(before[:n_g], after[:n_g]))
    assert any(not np.array_equal(a, b) for a, b in zip(before[n_g:], after[n_g:]))


def test_g_noise_must_be_known():
    g = models.dcgan_generator(8, 4, (8,), 4)
    d = models.dcgan_discriminator(8, (8,), 4)
    with pytest.raises(ValueError, match="g_noise"):
        training.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                 training.Noise(8), g_noise="new")


def _celeba_folder(path, n=3, size=(178, 218)):
    path.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), np.uint8)).save(
            path / f"{i:06d}.jpg")
    Image.fromarray(rng.integers(0, 255, (size[1], size[0]), np.uint8)).save(path / "grey.png")
    return path


def test_faces_from_a_folder_crop_and_resize(tmp_path, no_data):
    folder = _celeba_folder(tmp_path / "img_align_celeba")
    faces = data.faces("celeba", 64, folder=folder, crop_box=(30, 55, 150, 175), held_out=1)
    assert faces.count == 3 and faces.held_out.shape == (1, 64, 64, 3)  # grey file: 3 channels
    assert faces.sample.shape == (3, 64, 64, 3) and faces.sample.dtype == np.uint8
    batches = [b.numpy() for b in faces.dataset(2)]
    assert [len(b) for b in batches] == [2, 1] and -1 <= batches[0].min() < batches[0].max() <= 1
    assert data.faces("celeba", 32, folder=folder, limit=2).sample.shape == (2, 32, 32, 3)
    with pytest.raises(ValueError, match="crop_box"):
        data.faces("celeba", 64, folder=folder, crop_box=(30, 55, 150, 300))
    with pytest.raises(ValueError, match="crop_box"):
        data.faces("celeba", 64, folder=folder, crop_box=(150, 55, 30, 175))
    (tmp_path / "empty").mkdir()
    with pytest.raises(data.DatasetUnavailable, match="no .jpg"):
        data.faces("anime_faces", folder=tmp_path / "empty")


def test_faces_without_data_fail_fast_in_full_mode_and_stand_in_for_smoke(no_data, monkeypatch):
    faces = data.faces("anime_faces", 32, held_out=16)
    assert faces.count + 16 == data.SMOKE_IMAGES and "SMOKE STAND-IN" in faces.source
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    with pytest.raises(data.DatasetUnavailable, match="huggan/anime-faces"):
        data.faces("anime_faces")
    with pytest.raises(ValueError, match="unknown"):
        data.faces("lfw")


def test_faces_from_the_pack_are_resized(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "celeba_64.npz", x=rng.integers(0, 255, (10, 64, 64, 3), np.uint8))
    monkeypatch.setenv("GANKIT_DATA_DIR", str(tmp_path))
    assert data.faces("celeba", 32).sample.shape == (10, 32, 32, 3)
    faces = data.faces("celeba", 64, held_out=3)
    assert faces.sample.shape == (7, 64, 64, 3) and faces.held_out.shape == (3, 64, 64, 3)
    assert sum(len(b) for b in faces.dataset(4)) == 7


def test_celeba_attributes_from_a_folder_the_pack_and_smoke(tmp_path, no_data, monkeypatch):
    folder = _celeba_folder(tmp_path / "img_align_celeba", n=3)
    names = " ".join(data.CELEBA_ATTRIBUTES)
    rows = [f"{i:06d}.jpg " + " ".join(["1"] * 32 + ["-1"] * 8) for i in range(2)]
    rows.append("999999.jpg " + " ".join(["-1"] * 40))  # listed, not downloaded: skipped
    (tmp_path / "list_attr_celeba.txt").write_text("\n".join(["3", names, *rows]) + "\n")
    faces = data.celeba_attributes(64, folder=folder, crop_box=(30, 55, 150, 175))
    attrs, names = faces.sample_labels, faces.label_names
    assert faces.sample.shape == (2, 64, 64, 3) and attrs.shape == (2, 40) and attrs.dtype == bool
    assert attrs[:, names.index("Smiling")].all() and not attrs[:, names.index("Young")].any()
    images, labels = next(iter(faces.dataset(2, labels=True)))
    assert images.shape == (2, 64, 64, 3) and labels.shape == (2, 40)
    faces = data.celeba_attributes(32, held_out=8)  # smoke stand-in
    assert faces.shape == (32, 32, 3) and faces.held_out_labels.shape == (8, 40)
    np.savez(tmp_path / "celeba_attrs_64.npz", x=np.zeros((5, 64, 64, 3), np.uint8),
             attributes=np.where(np.eye(5, 40), 1, -1).astype(np.int8))
    monkeypatch.setenv("GANKIT_DATA_DIR", str(tmp_path))
    faces = data.celeba_attributes(64)
    assert faces.sample.shape == (5, 64, 64, 3) and faces.sample_labels.sum() == 5
    assert faces.sample_labels[0, 0]
    with pytest.raises(ValueError, match="crop_box"):
        data.celeba_attributes(64, folder=folder, crop_box=(150, 55, 30, 175))
    with pytest.raises(data.DatasetUnavailable, match="list_attr_celeba"):
        data.celeba_attributes(64, folder=tmp_path / "img_align_celeba",
                               attributes_file=tmp_path / "missing.txt")


def test_split_held_out():
    x = np.arange(100)
    train, held = data.split_held_out(x, 10, seed=0)
    assert len(train) == 90 and len(held) == 10 and not set(train) & set(held)
    with pytest.raises(ValueError, match="held_out"):
        data.split_held_out(x, 100)


def test_nearest_neighbours_find_copies_and_memorisation_flags_them(capsys):
    rng = np.random.default_rng(0)
    train = rng.uniform(-1, 1, (50, 8, 8, 3)).astype("float32")
    held = rng.uniform(-1, 1, (20, 8, 8, 3)).astype("float32")
    index, dist = metrics.nearest_neighbours(train[[3, 7]], train)
    assert list(index) == [3, 7] and np.allclose(dist, 0, atol=1e-6)
    copies = metrics.memorisation(np.clip(train[:20] + 0.01, -1, 1), train, held)
    assert copies["ratio"] < 0.1
    new = metrics.memorisation(rng.uniform(-1, 1, (20, 8, 8, 3)).astype("float32"), train, held)
    assert 0.8 < new["ratio"] < 1.25
    fig = plots.neighbours(train[:3], train, copies["index"][:3], copies["distances"][:3])
    assert len(fig.axes) == 6


def test_feature_network_scores_faces(capsys):
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[-1:1:16j, -1:1:16j]
    blob = np.exp(-((yy + 0.4) ** 2 + xx ** 2) / 0.1)  # a bright spot above the centre: upright
    real = (blob[None, ..., None] * np.ones((64, 1, 1, 3)) * 1.6 - 0.8
            + rng.normal(0, 0.05, (64, 16, 16, 3))).astype("float32").clip(-1, 1)
    net = metrics.feature_network("test_faces", real[:48], real[48:])
    assert net.get_layer("features").output.shape[-1] == 128
    scores = metrics.compare(net, {"real": real[48:], "noise": rng.uniform(-1, 1, real.shape)
                                   .astype("float32")}, real[:48])
    assert "upright" in capsys.readouterr().out
    assert scores["noise"]["kid"] > scores["real"]["kid"]


def test_face_report_scores_floor_ceiling_and_trained_g(capsys):
    g = models.dcgan_generator(8, 4, (8,), 4)
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (40, 8, 8, 3)).astype("float32")
    report = metrics.face_report("test_report", g, keras.models.clone_model(g),
                                 rng.normal(size=(30, 8)).astype("float32"), real[:30], real[30:],
                                 seconds=60.0)
    out = capsys.readouterr().out
    assert "floor" in out and "ceiling" in out and "ratio" in out and "Inception" not in out
    assert "baseline" in out
    assert set(report["metrics"]) >= {"kid", "fd", "kid_real", "fd_untrained", "memorisation_ratio",
                                      "kid_baseline", "fd_baseline", "upright_real", "n_fake",
                                      "judge_rotation_accuracy", "detail_ratio",
                                      "detail_ratio_baseline"}
    assert "judge_sha256" not in report["metrics"]  # no judge is shipped for "test_report"
    assert report["samples"].shape == (30, 8, 8, 3)


def test_sheet_is_one_image():
    fig = plots.sheet(np.zeros((10, 8, 8, 3), "float32"), title="t", ncols=5)
    assert len(fig.axes) == 1 and fig.axes[0].images[0].get_array().shape == (16, 40, 3)


def test_gankit_exports():
    assert gankit.models.dcgan_generator and gankit.metrics.feature_network


def test_detail_falls_with_blur():
    """The variance of the Laplacian: a blurred copy has less detail, a flat image none."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(0)
    sharp = rng.uniform(-1, 1, (4, 16, 16, 3)).astype("float32")
    blurred = gaussian_filter(sharp, sigma=(0, 1.5, 1.5, 0))
    assert np.all(metrics.detail(blurred) < 0.2 * metrics.detail(sharp))
    assert np.allclose(metrics.detail(np.zeros((2, 8, 8, 1), "float32")), 0)


def test_colour_transfer_takes_the_references_palette_and_keeps_the_layout():
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 0, (3, 8, 8, 3)).astype("float32")  # dark
    references = rng.uniform(0.5, 1, (5, 12, 12, 3)).astype("float32")  # bright, another size
    moved = metrics.colour_transfer(images, references)
    assert moved.shape == images.shape and moved.min() >= 0.5
    for x, y in zip(images, moved):  # the order of the pixels is kept
        assert np.corrcoef(x.ravel(), y.ravel())[0, 1] > 0.9
    with pytest.raises(ValueError, match="same channels"):
        metrics.colour_transfer(images, references[..., :1])


def test_dcgan_builders_take_another_output_activation_and_dropout():
    g = models.dcgan_generator(8, 4, (16, 8), channels=1, output_activation="sigmoid")
    assert models.output_range(g) == (0.0, 1.0)
    image = np.asarray(g(np.zeros((2, 8), "float32")))
    assert image.shape == (2, 16, 16, 1) and image.min() >= 0 and image.max() <= 1
    d = models.dcgan_discriminator(16, (8, 16), channels=1, dropout=0.3)
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in d.layers) == 2
    assert not any(isinstance(layer, keras.layers.Dropout)
                   for layer in models.dcgan_discriminator(16, (8, 16), channels=1).layers)
