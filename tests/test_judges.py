"""The shipped judges: pinned files that load, that refuse a changed file, and that the
metrics use, so a generator gets the same number on every machine."""

import json
import re
import shutil
import types
from pathlib import Path

import numpy as np
import pytest

from gankit import judges, metrics

# the least each judge scored on held-out real images when it was trained
LEAST = {"mnist": 0.98, "fashion_mnist": 0.88, "cifar10": 0.75, "anime_faces_64": 0.9,
         "celeba_32": 0.9, "celeba_64": 0.9, "celeba_attributes_32": 0.85,
         "vangogh2photo_style_64": 0.9, "summer2winter_yosemite_domains_128": 0.85}
# the most a regression judge erred (mean absolute error, years) on held-out real faces; always
# answering the mean age errs 21.8 years on UTKFace's
MOST_ERROR = {"utkface_age_32": 13.0}


def test_every_shipped_judge_has_a_recipe():
    assert {"mnist", "fashion_mnist", "cifar10"} <= set(judges.manifest()) <= set(judges.RECIPES)


@pytest.mark.parametrize("name", sorted(judges.manifest()))
def test_a_shipped_judge_is_the_file_its_hash_was_pinned_for(name):
    entry = judges.manifest()[name]
    assert judges.sha256(judges.WEIGHTS / entry["file"]) == entry["sha256"]
    model = judges.load(name, verbose=0)
    assert judges.weights_digest(model) == entry["weights_sha256"]
    assert model.get_layer("features").output.shape[-1] == 128
    if name in MOST_ERROR:
        assert entry["score"] <= MOST_ERROR[name]
    else:
        assert entry["score"] >= LEAST[name]


def test_a_changed_or_missing_judge_file_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    shutil.copytree(judges.WEIGHTS, folder)
    monkeypatch.setattr(judges, "WEIGHTS", folder)
    monkeypatch.setattr(judges, "MANIFEST", folder / "judges.json")
    data = bytearray((folder / "mnist.keras").read_bytes())
    (folder / "mnist.keras").write_bytes(bytes(data[: len(data) // 2]))  # a truncated download
    with pytest.raises(judges.JudgeUnavailable, match="SHA-256.*Reinstall gankit"):
        judges.load("mnist")
    (folder / "mnist.keras").unlink()
    with pytest.raises(judges.JudgeUnavailable, match="missing"):
        judges.load("mnist")
    with pytest.raises(judges.JudgeUnavailable, match="no shipped judge 'svhn'"):
        judges.load("svhn")
    entries = json.loads((folder / "judges.json").read_text())
    assert set(entries) >= {"mnist", "fashion_mnist"}


def test_the_metrics_score_with_the_shipped_judge(capsys):
    model = metrics.classifier("mnist")
    assert "shipped with gankit" in capsys.readouterr().out
    assert judges.weights_digest(model) == judges.manifest()["mnist"]["weights_sha256"]
    digits = np.zeros((4, 28, 28, 1), "float32") - 1
    features, probs = metrics.classifier_outputs(model, digits)
    assert features.shape == (4, 128) and np.allclose(probs.sum(1), 1, atol=1e-5)


def test_training_a_judge_on_smoke_data_is_refused(monkeypatch):
    monkeypatch.setenv("GANKIT_SMOKE", "1")
    with pytest.raises(RuntimeError, match="smoke"):
        judges.train("mnist")


def test_feature_network_uses_a_shipped_rotation_judge(tmp_path, monkeypatch, capsys):
    """With a judge shipped for a face set at this side, feature_network loads it (no training)
    and reports its rotation accuracy on the held-out images it is given."""
    model = metrics.rotation_model((8, 8, 3))
    monkeypatch.setattr(judges, "WEIGHTS", tmp_path)
    monkeypatch.setattr(judges, "MANIFEST", tmp_path / "judges.json")
    model.save(tmp_path / "tiny_8.keras")
    (tmp_path / "judges.json").write_text(json.dumps({"tiny_8": dict(
        file="tiny_8.keras", sha256=judges.sha256(tmp_path / "tiny_8.keras"),
        weights_sha256=judges.weights_digest(model), trained_on="nothing",
        score_name="rotation accuracy", score=0.25)}))
    monkeypatch.setitem(judges.RECIPES, "tiny_8", dict(faces=("tiny", 8, {}), epochs=5))
    images = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3)).astype("float32")
    loaded = metrics.feature_network("tiny", images, images[:4])
    assert judges.weights_digest(loaded) == judges.weights_digest(model)
    out = capsys.readouterr().out
    assert "shipped with gankit" in out and "on these 4 held-out images" in out


def test_attribute_network_uses_a_shipped_judge_only_for_its_attributes(tmp_path, monkeypatch,
                                                                        capsys):
    """A shipped attribute judge is loaded for the attributes it was trained on; asked for other
    attributes, attribute_network trains its own instead of answering with the wrong outputs."""
    model = judges.attribute_model((8, 8, 3), 2)
    monkeypatch.setattr(judges, "WEIGHTS", tmp_path)
    monkeypatch.setattr(judges, "MANIFEST", tmp_path / "judges.json")
    monkeypatch.setattr(metrics.runtime, "cache_dir", lambda: tmp_path)
    model.save(tmp_path / "toyattr_8.keras")
    (tmp_path / "judges.json").write_text(json.dumps({"toyattr_8": dict(
        file="toyattr_8.keras", sha256=judges.sha256(tmp_path / "toyattr_8.keras"),
        weights_sha256=judges.weights_digest(model), trained_on="nothing",
        score_name="mean accuracy", score=0.5)}))
    monkeypatch.setitem(judges.RECIPES, "toyattr_8", dict(attributes=("A", "B"), size=8,
                                                           held_out=2, epochs=3))
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (6, 8, 8, 3)).astype("float32")
    labels = rng.uniform(size=(6, 2)) > 0.5
    loaded = metrics.attribute_network("toyattr", images, labels, images[:4], labels[:4],
                                       epochs=3, labels=("A", "B"))
    assert judges.weights_digest(loaded) == judges.weights_digest(model)
    assert "shipped with gankit" in capsys.readouterr().out
    other = metrics.attribute_network("toyattr", images, labels, images[:4], labels[:4],
                                      epochs=3, labels=("A", "C"))
    assert judges.weights_digest(other) != judges.weights_digest(model)
    assert "shipped with gankit" not in capsys.readouterr().out


def test_a_two_set_judge_is_used_only_on_the_images_it_was_trained_on(monkeypatch):
    """Chapter 13's shipped judge learnt the pack's daisies against its sunflowers: the real
    Yosemite photos (online) must get a judge of their own, not that one."""
    from gankit import metrics

    name = "summer2winter_yosemite_domains_128"
    shipped = types.SimpleNamespace(output=types.SimpleNamespace(shape=(None, 1)))
    monkeypatch.setattr(judges, "load", lambda *_, **__: shipped)
    monkeypatch.setattr(metrics, "_cached_network", lambda *_, **__: "trained here")
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (6, 128, 128, 3)).astype("float32")
    labels = np.repeat([0, 1], 3)
    judge = metrics.attribute_network(name[:-4], images, labels, images[:2], labels[:2],
                                      verbose=0)
    assert judge == "trained here"
    monkeypatch.setattr(judges, "data_digest",
                        lambda *_: judges.manifest()[name]["data_sha256"])
    assert metrics.attribute_network(name[:-4], images, labels, images[:2], labels[:2],
                                     verbose=0) is shipped


@pytest.mark.parametrize("notebook, name", [("12_style_transfer", "vangogh2photo_style_64"),
                                            ("13_cyclegan", "summer2winter_yosemite_domains_128")])
def test_chapters_12_and_13_ask_for_their_shipped_judge(notebook, name):
    """`attribute_network(name, …)` looks for the shipped judge `<name>_<side>`."""
    source = (Path(__file__).parents[1] / "notebooks" / f"{notebook}.ipynb").read_text()
    call = re.search(r'attribute_network\(\\n",\s*"\s*f\\"\{(\w+)\}(_\w+)\\"', source)
    assert call, "the judge's name is not an f-string of one constant and a suffix"
    constant = re.search(rf'"{call[1]} = \\"(\w+)\\"', source)[1]
    assert f"{constant}{call[2]}_{name.rsplit('_', 1)[1]}" == name
