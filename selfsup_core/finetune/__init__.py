"""Fine-tuning on a labelled task: what self-supervised pretraining buys.

A pretrained run (BERT from MLM, GPT-2 from AR) gets a new classification head and learns a labelled
task (see tasks.py) in one of five ways, which differ only in *which weights learn*:

    linear-probe  only the new head; the pretrained network is frozen (what do its features already say?)
    full          every weight, starting from the pretrained ones
    lora          frozen network + small low-rank updates W + (alpha/r)·B·A on the attention matrices (peft)
    ia3           frozen network + one learned scale per channel of keys, values and FFN output (peft IA³)
    scratch       the same architecture with random weights, every weight learns: no pretraining at all

The head: BERT reads the [CLS] position through a pooler (dense + tanh) and a linear classifier, both
new (an MLM run has neither); GPT-2 reads the last non-padding token (its [SEP], end-of-text: the only
position that has seen the whole sentence) through a linear `score` layer. The new parts start from the
training examples' features (see `standardize_head_input`: a frozen encoder's raw features make a freshly
initialised linear head crawl) and are always trainable, else they would stay random.

The loop is train.py's, smaller: batch, forward, loss, backward, clip, step, log, evaluate. With a run
directory it writes metrics.jsonl as it goes and summary.json at the end (test accuracy, macro-F1,
confusion matrix, trainable parameters, time, memory), and saves the classifier in `classifier/`:
a full model (save_pretrained, safetensors) or, for LoRA / IA³, just peft's adapter (which points
back to the pretrained run's model). `predict` loads either, from safetensors only.

One module per concept:
    config.py      the methods, their default learning rates, FinetuneConfig, FinetuneError
    classifier.py  the pretrained network with a new head; which weights learn (set_trainable)
    encoding.py    a labelled split as padded tensors
    scoring.py     accuracy, macro-F1, confusion matrix, trainable parameters, memory
    loop.py        finetune() and the background job's run_job
    saved.py       save the classifier into the run, load it back, predict
    views.py       what the Fine-tune page lists
The label-budget experiment built on it is `selfsup_core.label_budget`.
"""

from .classifier import build_classifier, set_trainable, standardize_head_input
from .config import DEFAULT_LR, METHODS, FinetuneConfig, FinetuneError
from .encoding import Encoded, encode_examples, encode_texts
from .loop import FinetuneResult, finetune, run_job
from .saved import CLASSIFIER_DIR, INFO_FILE, Classifier, classifier_dir, load_classifier, predict, save_classifier
from .scoring import classification_report, evaluate, state_memory_mb, trainable_parameters
from .views import example_sentence, finetune_runs, pretrained_runs, results_table

__all__ = [
    "CLASSIFIER_DIR",
    "DEFAULT_LR",
    "INFO_FILE",
    "METHODS",
    "Classifier",
    "Encoded",
    "FinetuneConfig",
    "FinetuneError",
    "FinetuneResult",
    "build_classifier",
    "classification_report",
    "classifier_dir",
    "encode_examples",
    "encode_texts",
    "evaluate",
    "example_sentence",
    "finetune",
    "finetune_runs",
    "load_classifier",
    "predict",
    "pretrained_runs",
    "results_table",
    "run_job",
    "save_classifier",
    "set_trainable",
    "standardize_head_input",
    "state_memory_mb",
    "trainable_parameters",
]
