import json
import subprocess
import sys

from selfsup_core.cli import build_parser, config_from_args, main
from selfsup_core.config import TrainConfig
from selfsup_core.runs import list_runs

TINY = ["--size", "nano", "--steps", "10", "--batch-size", "8", "--eval-every", "5", "--checkpoints", "0"]


def test_flag_defaults_are_the_config_defaults():
    args = build_parser().parse_args(["train"])
    assert config_from_args(args) == TrainConfig()


def test_train_then_list_then_probe(runs_dir, capsys):
    assert main(["train", "--objective", "mlm", "--runs-dir", str(runs_dir), "--mask-rate", "0.3", *TINY]) == 0
    out = capsys.readouterr().out
    run_id = out.splitlines()[0]
    assert "step     5" in out and '"status": "completed"' in out
    assert list_runs(runs_dir)[0].config["masking"]["rate"] == 0.3

    assert main(["list", "--runs-dir", str(runs_dir)]) == 0
    assert run_id in capsys.readouterr().out

    assert main(["probe", "--run", f"{runs_dir}/{run_id}", "--text", "the dog [MASK] .", "--top-k", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["objective"] == "mlm" and len(result["result"][0]["candidates"]) == 3


def test_bad_input_exits_non_zero_with_a_clear_message(runs_dir, capsys):
    assert main(["train", "--runs-dir", str(runs_dir), "--corpus", "no-such-corpus", *TINY]) == 2
    assert "error:" in capsys.readouterr().err
    assert main(["train", "--runs-dir", str(runs_dir), "--mask-rate", "0.95", *TINY]) == 2
    assert "Mask rate must be between" in capsys.readouterr().err
    assert main(["probe", "--run", "../../etc", "--text", "x"]) == 2


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "selfsup_core", "--help"], capture_output=True, text=True, check=True)
    assert "train" in out.stdout and "probe" in out.stdout
