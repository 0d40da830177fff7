"""Size presets mapped onto `transformers` model classes: BertForMaskedLM (MLM), GPT2LMHeadModel (AR),
ElectraForPreTraining with an ElectraForMaskedLM generator (ELECTRA), T5ForConditionalGeneration (T5).

A preset fixes width, depth, heads and FFN size for every objective, so an MLM and an AR run of
the same preset differ only in the attention mask and the loss: a fair comparison. ELECTRA's
discriminator has the preset's shape and its generator a quarter of its width (`GENERATOR_WIDTH`); T5
has the preset's shape in its encoder and again in its decoder (so about twice the parameters).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import (
    BertConfig,
    BertForMaskedLM,
    ElectraConfig,
    ElectraForMaskedLM,
    ElectraForPreTraining,
    GPT2Config,
    GPT2LMHeadModel,
    PretrainedConfig,
    PreTrainedModel,
    T5Config,
    T5ForConditionalGeneration,
)

from .config import TrainConfig
from .tokenization import CLS_ID, NUM_SENTINELS, NUM_SPECIAL, PAD_ID, SEP_ID

# name -> shape. Like minGPT's presets; "mini" is the reference shape of the speed targets.
PRESETS: dict[str, dict[str, int]] = {
    "nano": dict(hidden=64, layers=2, heads=2, ffn=256),  # seconds to train; for tests and quick demos
    # mini: one layer, because in a class minute steps buy more than depth: at 30 s on 2 cores it makes about
    # twice the steps of two layers and knows its world's facts by then (bench/RESULTS.md, "Facts in a class minute";
    # 16 heads know more at equal steps but cost 1.25x a step, and lose at 30 s)
    "mini": dict(hidden=128, layers=1, heads=4, ffn=512),
    "small": dict(hidden=256, layers=4, heads=4, ffn=1024),  # several minutes on CPU
    "large": dict(hidden=768, layers=12, heads=12, ffn=3072),  # BERT-base / GPT-2 width: GPU only
}
GPU_ONLY = ("large",)
# the transformers model type of each objective's model (config.model_type): what a saved run is
OBJECTIVE_OF_MODEL_TYPE = {"bert": "mlm", "gpt2": "ar", "electra": "electra", "t5": "t5"}
# ELECTRA's generator: a quarter of the discriminator's width, the size the paper found best (Clark et al. 2020,
# section 3.2: a generator 1/4-1/2 the discriminator's size; a stronger one makes the task too hard)
GENERATOR_WIDTH = 0.25
GENERATOR_DIR = "generator"  # ELECTRA: the generator's folder inside the discriminator's (model/generator/)
# bf16 dense peak of common accelerators, for model FLOPs utilisation (MFU); others report no MFU
PEAK_BF16_FLOPS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "L4": 121e12, "A10": 125e12}


def available_sizes() -> list[str]:
    """Presets this machine can train: the GPU-only ones only where CUDA is present."""
    return [name for name in PRESETS if name not in GPU_ONLY or torch.cuda.is_available()]


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int


def shape_of(cfg: TrainConfig) -> Shape:
    """The preset's shape with the config's overrides applied (FFN stays 4x hidden when hidden changes)."""
    if cfg.size not in PRESETS:
        raise ValueError(f"Unknown size {cfg.size!r}; choose one of {tuple(PRESETS)}.")
    if cfg.size in GPU_ONLY and cfg.device != "cpu" and not torch.cuda.is_available():
        raise ValueError(f"The {cfg.size!r} preset needs a GPU; on this machine use nano, mini or small.")
    base = PRESETS[cfg.size]
    hidden = cfg.hidden or base["hidden"]
    shape = Shape(
        hidden=hidden,
        layers=cfg.layers or base["layers"],
        heads=cfg.heads or base["heads"],
        ffn=4 * hidden if cfg.hidden else base["ffn"],
    )
    if shape.hidden % shape.heads:
        raise ValueError(f"hidden ({shape.hidden}) must be divisible by heads ({shape.heads}).")
    return shape


def objective_of_config(config: PretrainedConfig) -> str | None:
    """What a saved model answers, from its config: its objective by model type (None: a type this project does
    not train), except ELECTRA's generator, which is a masked LM ("mlm") like BERT and answers blanks as one."""
    if "ElectraForMaskedLM" in (config.architectures or []):
        return "mlm"
    return OBJECTIVE_OF_MODEL_TYPE.get(config.model_type)


class Electra(torch.nn.Module):
    """ELECTRA's two networks, trained together: a small generator (a masked LM) fills the blanks with sampled
    tokens and the discriminator tells, for every token, whether it is the original.

    They share the token and position embeddings, as in the paper (HF's recipe: the generator's
    `embedding_size` equals the discriminator's, and its own `embeddings_project` maps them to its narrower
    width); the generator's output layer stays tied to the shared word embeddings. `save_pretrained` writes
    the discriminator (`ElectraForPreTraining`, the model ELECTRA keeps) into the folder and the generator
    (`ElectraForMaskedLM`) into its `generator/` subfolder, so checkpoints hold both.
    """

    def __init__(self, discriminator: ElectraForPreTraining, generator: ElectraForMaskedLM) -> None:
        super().__init__()
        self.discriminator, self.generator = discriminator, generator
        generator.electra.embeddings = discriminator.electra.embeddings
        generator.tie_weights()  # its output layer follows the (now shared) word embeddings

    @property
    def config(self) -> ElectraConfig:
        return self.discriminator.config

    def save_pretrained(self, path: str | Path) -> None:
        self.discriminator.save_pretrained(path)
        self.generator.save_pretrained(Path(path) / GENERATOR_DIR)


def build_model(objective: str, shape: Shape, vocab_size: int, max_positions: int) -> PreTrainedModel | Electra:
    """A randomly initialised BertForMaskedLM ("mlm"), GPT2LMHeadModel ("ar"), `Electra` pair ("electra") or
    T5ForConditionalGeneration ("t5").

    Dropout is off: these runs last a minute and never see the same batch twice, so the
    regularisation only slows learning down.
    """
    if objective == "electra":
        small = generator_shape(shape)  # its embeddings are the discriminator's: of the discriminator's width
        return Electra(
            ElectraForPreTraining(_encoder_config(ElectraConfig, shape, vocab_size, max_positions, shape.hidden)),
            ElectraForMaskedLM(_encoder_config(ElectraConfig, small, vocab_size, max_positions, shape.hidden)),
        )
    if objective == "t5":
        config = T5Config(
            vocab_size=vocab_size,
            d_model=shape.hidden,
            d_kv=shape.hidden // shape.heads,
            d_ff=shape.ffn,
            num_layers=shape.layers,
            num_decoder_layers=shape.layers,
            num_heads=shape.heads,
            dropout_rate=0.0,
            feed_forward_proj="gelu",  # the others' exact GELU (T5 used ReLU, T5 v1.1 a gated GELU of other shape)
            pad_token_id=PAD_ID,
            eos_token_id=SEP_ID,  # [SEP] ends a text and a target, as T5's </s>
            decoder_start_token_id=PAD_ID,  # T5's convention: the decoder starts from the pad token
            max_position_embeddings=max_positions,  # not used by T5's relative positions: the longest text trained on
        )
        return T5ForConditionalGeneration(config)
    if objective == "mlm":
        config = _encoder_config(BertConfig, shape, vocab_size, max_positions)
        return BertForMaskedLM(config)
    if objective == "ar":
        config = GPT2Config(
            vocab_size=vocab_size,
            n_embd=shape.hidden,
            n_layer=shape.layers,
            n_head=shape.heads,
            n_inner=shape.ffn,
            n_positions=max_positions,
            resid_pdrop=0.0,
            embd_pdrop=0.0,
            attn_pdrop=0.0,
            activation_function="gelu",  # exact GELU, as BERT: one fused kernel instead of ~6 ops of "gelu_new"
            bos_token_id=SEP_ID,  # end-of-text opens a text too (GPT-2's convention; see tokenization.for_objective)
            eos_token_id=SEP_ID,
            pad_token_id=PAD_ID,
        )
        return GPT2LMHeadModel(config)
    raise ValueError(f"Unknown objective {objective!r}: use 'mlm', 'ar', 'electra' or 't5'.")


def generator_shape(shape: Shape) -> Shape:
    """ELECTRA's generator: the discriminator's depth at `GENERATOR_WIDTH` of its width, heads and FFN."""
    heads = max(1, round(shape.heads * GENERATOR_WIDTH))
    hidden = max(heads, round(shape.hidden * GENERATOR_WIDTH) // heads * heads)
    return Shape(hidden=hidden, layers=shape.layers, heads=heads, ffn=max(1, round(shape.ffn * GENERATOR_WIDTH)))


def _encoder_config(kind: type, shape: Shape, vocab_size: int, max_positions: int, embedding_size: int | None = None):
    """A BertConfig or ElectraConfig (`kind`: ELECTRA's has BERT's fields, plus `embedding_size`) of `shape`."""
    extra = {} if embedding_size is None else {"embedding_size": embedding_size}
    return kind(
        vocab_size=vocab_size,
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.ffn,
        max_position_embeddings=max_positions,
        type_vocab_size=1,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=PAD_ID,
        **extra,
    )


def count_parameters(model: torch.nn.Module, trainable_only: bool = False) -> int:
    """Number of distinct parameters (tied embeddings counted once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def estimate(cfg: TrainConfig, vocab_size: int | None = None) -> dict[str, float]:
    """Parameter count and a measured time per optimizer step, before launching a run.

    Times three real forward/backward/update steps of the configured shape on random tokens on the
    CPU (after one warm-up step), with the training loop's own loss (sparse for MLM), so the estimate
    reflects this machine and the trainer. Takes about a second.
    """
    from .config import AugmentConfig
    from .data import Packed
    from .objectives import loss_and_hits, make_batch
    from .tokenization import DEFAULT_VOCAB

    vocab = (vocab_size or cfg.vocab_size or DEFAULT_VOCAB[cfg.tokenizer]) + (
        NUM_SENTINELS if cfg.objective == "t5" else 0
    )
    model = build_model(cfg.objective, shape_of(cfg), vocab, cfg.seq_len)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(NUM_SPECIAL, vocab, (cfg.batch_size, cfg.seq_len), generator=gen)
    ids[:, 0] = CLS_ID
    rows = Packed(ids, torch.ones_like(ids, dtype=torch.bool), ids == CLS_ID)  # one document a row
    times = []
    for _ in range(4):
        t = time.perf_counter()
        batch = make_batch(cfg.objective, rows, cfg.masking, AugmentConfig(), vocab, gen)
        loss, _, _ = loss_and_hits(model, batch, cfg.objective)
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.perf_counter() - t)
    step_s = sorted(times[1:])[1]
    steps = cfg.steps if cfg.time_budget_s is None else min(cfg.steps, int(cfg.time_budget_s / step_s))
    return {
        "parameters": count_parameters(model),
        "step_s": step_s,
        "steps": steps,
        "total_s": steps * step_s,
    }


def throughput(
    model: torch.nn.Module, cfg: TrainConfig, device: torch.device, tokens_per_s: float | None, processes: int = 1
) -> dict[str, float]:
    """Tokens/s per device and model FLOPs utilisation where the device's peak is known.

    FLOPs per token ~ 6 x (non-embedding parameters) + 12 x layers x hidden x seq_len (attention),
    the PaLM-paper accounting.
    """
    if not tokens_per_s:
        return {}
    shape = shape_of(cfg)
    embeddings = sum(
        p.numel() for n, p in model.named_parameters() if "embed" in n or n.endswith(("wte.weight", "wpe.weight"))
    )
    flops_per_token = 6 * (count_parameters(model) - embeddings) + 12 * shape.layers * shape.hidden * cfg.seq_len
    per_device = tokens_per_s / processes
    out = {"tokens_per_s_per_device": per_device, "model_tflops_per_device": flops_per_token * per_device / 1e12}
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        peak = next((v for k, v in PEAK_BF16_FLOPS.items() if k in name), None)
        if peak:
            out["mfu"] = flops_per_token * per_device / peak
    return out
