"""The self-supervised objectives: how a batch is made from packed rows and what the loss is.

MLM (BERT):  L = -sum_{i in M} log p(x_i | x_without_M)   over the masked positions M only.
AR   (GPT):  L = -sum_t log p(x_t | x_<t)                  over every next token.
ELECTRA:     a small generator G is trained as an MLM on the masked positions M; each masked token is
             replaced by a sample x'_i ~ p_G(. | x_without_M) (no gradient through the sampling), and the
             discriminator D reads the result and says, for every real token t, whether it was replaced:
             L = L_MLM(G) + 50 * mean_t BCE(D(x')_t, [x'_t != x_t])   (Clark et al. 2020; a correct sample
             counts as original, as in the paper).
T5:          spans of the text are replaced by sentinels (span_corruption.py) and the decoder writes them back:
             L = -sum_j log p(y_j | y_<j, corrupted x)   over every target token y (sentinels and [SEP] too).

`signal_tokens` counts the predictions in a batch's loss, the "signal meter": MLM its masked tokens,
AR every next token, ELECTRA every real token (the discriminator's), T5 every token the decoder writes.

The MLM and AR losses are computed *sparsely*: the vocabulary-sized output layer runs only on the positions
that have a target (masked tokens for MLM, non-padding for AR). For MLM at 15% that skips 85% of
the most expensive matrix multiply. MLM goes one layer further down (`bert_hidden_at`): the last
transformer layer also runs its queries, attention output and feed-forward on the masked positions
only. The loss and its gradients are exactly those of the full model; only unused work is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from transformers import BertModel, PreTrainedModel
from transformers.masking_utils import create_bidirectional_mask

from .augment import augment
from .config import AugmentConfig, MaskingConfig
from .data import Packed
from .masking import IGNORE_INDEX, mask_tokens
from .span_corruption import corrupt_spans
from .tokenization import PAD_ID, SEP_ID, first_sentinel

DISCRIMINATOR_WEIGHT = 50.0  # ELECTRA's lambda: the discriminator's BCE is ~50x smaller than the MLM loss (paper)


@dataclass
class Batch:
    input_ids: torch.Tensor  # (B, L) what the model reads (T5: its encoder)
    # (B, L) MLM: target at masked positions; AR: target token at each position; ELECTRA: the clean token at every
    # real position; T5: (B, T) the decoder's targets. IGNORE_INDEX where there is none
    labels: torch.Tensor
    attention_mask: torch.Tensor | None = None  # (B, 1, L, L) bool, who attends to whom (see `documents`); None: all
    position_ids: torch.Tensor | None = None  # (B, L) each token's place in its own document; None: 0..L-1 (T5: None)
    # (B, L) ELECTRA only: a uniform draw in [0, 1) at each masked position, from which the generator's sample there
    # is read (inverse CDF), so the run's seeded generator decides the samples on any device; -1 elsewhere
    draws: torch.Tensor | None = None

    def tensors(self) -> tuple[torch.Tensor | None, ...]:
        return self.input_ids, self.labels, self.attention_mask, self.position_ids, self.draws

    def _map(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> Batch:
        return Batch(*(None if t is None else fn(t) for t in self.tensors()))

    def rows(self, index: slice) -> Batch:
        return self._map(lambda t: t[index])

    def shard(self, rank: int, world_size: int) -> Batch:
        """This process's share of a global batch (every world_size-th row, from row `rank`)."""
        return self if world_size == 1 else self.rows(slice(rank, None, world_size))

    def split(self, parts: int) -> list[Batch]:
        """Equal micro-batches, for gradient accumulation."""
        n = self.input_ids.shape[0] // parts
        return [self.rows(slice(i * n, (i + 1) * n)) for i in range(parts)]

    def to(self, device: torch.device) -> Batch:
        return self._map(lambda t: t.to(device, non_blocking=True))


def make_batch(
    objective: str,
    rows: Packed,
    masking: MaskingConfig,
    aug: AugmentConfig,
    vocab_size: int,
    generator: torch.Generator,
) -> Batch:
    """Corrupt `rows` (augmentations, then the objective's masking or span corruption) and attach the clean targets.

    MLM and ELECTRA mask as `masking` says (ELECTRA's generator fills those blanks); T5 drops spans as
    span_corruption.py says, from the rows without their [CLS] (T5 has none; a prompt reads `text [SEP]`)."""
    input_ids, special, starts, clean = rows.input_ids, rows.special_mask, rows.word_starts, rows.input_ids
    if aug.active:
        a = augment(input_ids, special, starts, aug, vocab_size, generator)
        input_ids, special, starts, clean = a.input_ids, a.special_mask, a.word_starts, a.targets
    real = torch.where(clean != PAD_ID, clean, IGNORE_INDEX)  # the clean token at every real position
    if objective in ("mlm", "electra"):
        m = mask_tokens(input_ids, special, starts, masking, vocab_size, generator)
        blanks = m.labels != IGNORE_INDEX
        if objective == "electra":
            draws = torch.rand(blanks.shape, generator=generator).masked_fill(~blanks, -1.0)
            return Batch(m.input_ids, real, *documents(input_ids, causal=False), draws=draws)
        return Batch(m.input_ids, torch.where(blanks, clean, IGNORE_INDEX), *documents(input_ids, causal=False))
    if objective == "t5":
        encoder_ids, targets = corrupt_spans(
            input_ids[:, 1:], clean[:, 1:], special[:, 1:], first_sentinel(vocab_size), generator
        )
        return Batch(encoder_ids, targets, documents(encoder_ids, causal=False)[0])
    return Batch(input_ids, real, *documents(input_ids, causal=True))


def documents(input_ids: torch.Tensor, causal: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(attention mask (B, 1, L, L) bool, position ids (B, L)): each document of a packed row read as if alone.

    A packed row holds several documents at arbitrary offsets. Read as one text, the words that decide a
    blank (the country in "the capital of norland is [MASK] .") are diluted among four other sentences'
    words, at a different place every time, and a mini model spends the class minute learning the templates
    before it finds them. So each position attends only to its own document (AR: and not ahead) and counts
    its place from the document's start, as packed pretraining does (Llama 3's document mask) and as a
    probe shows the model a text: alone, from the start. Measured on world-en (a two-layer mini MLM, 600 steps,
    mask rate 0.4, lr 4e-3): facts known 21% reading whole rows, 29% with the mask alone, 84-86% with the
    positions too (bench/RESULTS.md, "Facts in a class minute").

    Documents are cut at [SEP]. MLM rows are `[CLS] doc [SEP] doc [SEP] [PAD]...`: a [SEP] closes its
    document, later ones count from 1 as if after a [CLS], and the [PAD]s form one of their own. The AR
    stream is `[SEP] doc [SEP] doc`: a [SEP] opens the next document at place 0, as a prompt starts from it.
    """
    sep = input_ids == SEP_ID  # (B, L)
    doc = sep.long().cumsum(1) - (0 if causal else sep.long())  # (B, L): document index of each position
    mask = doc[:, :, None] == doc[:, None, :]  # (B, L, L): query, key
    if causal:
        mask &= torch.ones(mask.shape[1:], dtype=torch.bool, device=mask.device).tril()
    place = torch.arange(input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
    new = torch.ones_like(sep)
    new[:, 1:] = doc[:, 1:] != doc[:, :-1]  # (B, L): a document starts here
    start = torch.cummax(torch.where(new, place, 0), dim=1).values  # (B, L): where this one started
    positions = place - start + (0 if causal else (doc > 0).long())  # MLM: after the first, as if after [CLS]
    return mask[:, None], positions


def signal_tokens(batch: Batch, objective: str) -> int:
    """How many predictions the batch's loss is made of: the tokens that give a training signal (see the module
    docstring). AR's first label in each row has no token before it to be predicted from."""
    labels = batch.labels[:, 1:] if objective == "ar" else batch.labels
    return int((labels != IGNORE_INDEX).sum())


def loss_and_hits(model: PreTrainedModel, batch: Batch, objective: str) -> tuple[torch.Tensor, torch.Tensor, int]:
    """The loss, the number of targets predicted correctly and the target count: MLM and AR mean cross-entropy
    and argmax hits over their targets; ELECTRA the joint loss and the discriminator's hits over every real token
    (replaced or original, read at 0.5); T5 mean cross-entropy and argmax hits over the decoder's targets."""
    if objective == "electra":
        return _electra_loss(model, batch)
    if objective == "t5":
        return _t5_loss(model, batch)
    if objective == "mlm":
        where = batch.labels != IGNORE_INDEX  # (B, L)
        hidden = bert_hidden_at(model.bert, batch.input_ids, batch.attention_mask, where, batch.position_ids)  # (M, H)
        logits = model.cls(hidden)  # (M, V): the MLM head on masked positions only
        targets = batch.labels[where]  # (M,)
    else:
        hidden = model.transformer(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, position_ids=batch.position_ids
        ).last_hidden_state
        targets = batch.labels[:, 1:]  # (B, L-1): position t predicts token t+1
        where = targets != IGNORE_INDEX
        logits = model.lm_head(hidden[:, :-1][where])  # (M, V)
        targets = targets[where]
    loss = F.cross_entropy(logits.float(), targets)
    hits = (logits.argmax(-1) == targets).sum()
    return loss, hits, targets.numel()


def electra_replacements(generator, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """(the generator's MLM loss on the blanks, the discriminator's input (B, L)): `batch.input_ids` with each
    blank replaced by a sample of the generator's softmax there, read at the blank's draw (inverse CDF), with
    no gradient through the sampling. A token is "replaced" where this input differs from `batch.labels`."""
    where = batch.draws >= 0  # (B, L): the generator's blanks
    hidden = generator.electra(
        input_ids=batch.input_ids, attention_mask=batch.attention_mask, position_ids=batch.position_ids
    ).last_hidden_state[where]  # (M, Hg)
    logits = generator.generator_lm_head(generator.generator_predictions(hidden)).float()  # (M, V): blanks only
    loss = F.cross_entropy(logits, batch.labels[where])
    with torch.no_grad():
        cdf = logits.softmax(-1).cumsum(-1)  # (M, V)
        u = batch.draws[where, None] * cdf[:, -1:]  # (M, 1)
        sampled = torch.searchsorted(cdf, u).squeeze(1).clamp_max(logits.shape[-1] - 1)  # (M,)
    return loss, batch.input_ids.masked_scatter(where, sampled)


def _electra_loss(model, batch: Batch) -> tuple[torch.Tensor, torch.Tensor, int]:
    """ELECTRA's joint loss on `model` (a models.Electra pair); see the module docstring."""
    generator_loss, fake = electra_replacements(model.generator, batch)
    real = batch.labels != IGNORE_INDEX  # (B, L): every real token, [CLS] and [SEP] too (the paper's input mask)
    replaced = (fake != batch.labels)[real].float()  # (N,)
    scores = (
        model.discriminator(input_ids=fake, attention_mask=batch.attention_mask, position_ids=batch.position_ids)
        .logits[real]
        .float()
    )  # (N,)
    loss = generator_loss + DISCRIMINATOR_WEIGHT * F.binary_cross_entropy_with_logits(scores, replaced)
    return loss, ((scores > 0).float() == replaced).sum(), replaced.numel()


def _t5_loss(model: PreTrainedModel, batch: Batch) -> tuple[torch.Tensor, torch.Tensor, int]:
    """T5's loss: the encoder reads each document of the corrupted rows alone (`documents`' mask), the decoder
    attends to every real encoder position and writes the targets (teacher-forced, shifted right)."""
    encoded = model.encoder(input_ids=batch.input_ids, attention_mask=batch.attention_mask).last_hidden_state
    logits = model(
        encoder_outputs=(encoded,),
        attention_mask=batch.input_ids != PAD_ID,  # (B, Le): the decoder's cross-attention skips the padding
        decoder_input_ids=model.prepare_decoder_input_ids_from_labels(batch.labels),  # [PAD] y_1 ... y_T-1
    ).logits  # (B, T, V)
    where = batch.labels != IGNORE_INDEX
    logits, targets = logits[where].float(), batch.labels[where]  # (N, V), (N,)
    return F.cross_entropy(logits, targets), (logits.argmax(-1) == targets).sum(), targets.numel()


def bert_hidden_at(
    bert: BertModel,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    where: torch.Tensor,
    position_ids: torch.Tensor | None = None,
) -> torch.Tensor:
    """`bert(...).last_hidden_state[where]`, without computing the last layer at the other positions.

    In the last layer a position's output needs every position's keys and values, but only its own
    query, attention output and feed-forward. So the layers below run as usual (Hugging Face's own
    modules), and the last one runs its key/value projections on all B x L positions and the rest on
    the M selected ones: at 15% masking that is about a third of the layer's work.
    """
    h = bert.embeddings(input_ids=input_ids, position_ids=position_ids)
    mask = create_bidirectional_mask(config=bert.config, inputs_embeds=h, attention_mask=attention_mask)
    *lower, last = bert.encoder.layer
    for layer in lower:
        h = layer(h, mask)
    attn = last.attention.self
    batch, _, width = h.shape
    counts = where.sum(1)
    # each row's selected positions first, in order, padded with unselected ones to the longest row
    slots = torch.argsort((~where).to(torch.int8), dim=1, stable=True)[:, : int(counts.max())]
    h_q = h.gather(1, slots[..., None].expand(-1, -1, width))  # (B, Q, H)

    def heads(x: torch.Tensor) -> torch.Tensor:  # (B, n, H) -> (B, heads, n, head size)
        return x.view(batch, -1, attn.num_attention_heads, attn.attention_head_size).transpose(1, 2)

    if attention_mask is None:
        keep = None
    elif attention_mask.dim() == 2:  # (B, L): keys that take part
        keep = attention_mask[:, None, None, :].bool()
    else:  # (B, 1, L, L): the chosen queries' rows
        keep = attention_mask.gather(2, slots[:, None, :, None].expand(-1, 1, -1, attention_mask.shape[-1]))
    context = F.scaled_dot_product_attention(
        heads(attn.query(h_q)), heads(attn.key(h)), heads(attn.value(h)), attn_mask=keep, scale=attn.scaling
    )
    context = context.transpose(1, 2).reshape(batch, -1, width)  # (B, Q, H)
    real = torch.arange(slots.shape[1], device=h.device) < counts[:, None]  # (B, Q): not padding
    out = last.attention.output(context[real], h_q[real])  # (M, H), same order as h[where]
    return last.output(last.intermediate(out), out)


class LossModule(torch.nn.Module):
    """A model and its objective's loss as one module, so `DistributedDataParallel` can wrap the whole step."""

    def __init__(self, model: torch.nn.Module, objective: str) -> None:
        super().__init__()
        self.model, self.objective = model, objective

    def forward(self, *tensors: torch.Tensor | None):  # Batch.tensors()
        return loss_and_hits(self.model, Batch(*tensors), self.objective)
