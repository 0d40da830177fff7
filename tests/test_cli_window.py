"""The command line's window into the model: probe --logit-lens, probe --embeddings OUT.csv [--checkpoint STEP]
and generate, on nano runs trained for a few steps in a runs folder of the module's own."""

import csv
import json

import pytest

from selfsup_core.cli import main
from selfsup_core.runs import list_runs

TINY = ["--size", "nano", "--steps", "12", "--batch-size", "8", "--eval-every", "6", "--checkpoints", "2", "--quiet"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """RUNS_DIR/RUN_ID of a nano MLM run and a nano AR run on world-en, each with checkpoints."""
    root = tmp_path_factory.mktemp("runs")
    for objective in ("mlm", "ar"):
        assert main(["train", "--objective", objective, "--runs-dir", str(root), *TINY]) == 0
    return {r.config["objective"]: r for r in list_runs(root)}


def run_json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_probe_logit_lens_prints_each_layers_guesses(trained, capsys):
    run = trained["mlm"]
    out = run_json(capsys, "probe", "--run", str(run.path), "--text", "the capital of norland is [MASK] .",
                   "--logit-lens", "--answer", "velmar", "--top-k", "3")  # fmt: skip
    layers = out["result"]["layers"]
    assert out["objective"] == "mlm" and [g["layer"] for g in layers] == [0, 1, 2]  # nano: 2 layers
    assert all(len(g["candidates"]) == 3 and {"token", "prob"} <= set(g["candidates"][0]) for g in layers)
    assert out["result"]["answer"] == "velmar" and all(g["answer_rank"] >= 1 for g in layers)
    assert "answer_appears" in out["result"]
    ar = run_json(capsys, "probe", "--run", str(trained["ar"].path), "--text", "the capital of", "--logit-lens")
    assert ar["objective"] == "ar" and ar["result"]["tokens"][-1] == "of"


def test_probe_embeddings_writes_the_map_of_a_checkpoint(trained, capsys, tmp_path):
    run = trained["ar"]
    first = run.checkpoints()[0][0]
    target = tmp_path / "map.csv"
    out = run_json(capsys, "probe", "--run", str(run.path), "--embeddings", str(target), "--checkpoint", str(first))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert out["checkpoint"] == first and out["result"]["points"] == len(rows) > 10
    assert list(rows[0]) == ["token", "category", "x", "y"] and {"capitals", "fruits"} <= {r["category"] for r in rows}
    xs, ys = [float(r["x"]) for r in rows], [float(r["y"]) for r in rows]
    assert min(xs) < 0 < max(xs) and min(ys) < 0 < max(ys)  # centred: the words lie around the origin


def test_generate_writes_step_by_step_for_each_objective(trained, capsys):
    mlm = run_json(capsys, "generate", "--run", str(trained["mlm"].path), "--text", "the dogs", "--tokens", "4")
    steps = mlm["result"]["steps"]
    assert mlm["objective"] == "mlm" and len(steps) == 5 and steps[0]["tokens"].count("[MASK]") == 4
    assert [s["tokens"].count("[MASK]") for s in steps] == [4, 3, 2, 1, 0]
    ar = run_json(capsys, "generate", "--run", str(trained["ar"].path), "--text", "the dogs", "--tokens", "4")
    assert ar["objective"] == "ar" and 2 <= len(ar["result"]["steps"]) <= 5
    assert ar["result"]["steps"][0]["written"] is None


def test_wrong_uses_exit_with_a_clear_message(trained, capsys):
    path = str(trained["mlm"].path)
    assert main(["probe", "--run", path, "--embeddings", "x.csv", "--checkpoint", "999"]) == 2
    assert "No checkpoint at step 999" in capsys.readouterr().err
    assert main(["probe", "--run", path, "--logit-lens"]) == 2
    assert "needs --text" in capsys.readouterr().err
    assert main(["generate", "--run", path, "--text", "the", "--tokens", "0"]) == 2
    assert "between 1 and 64" in capsys.readouterr().err
