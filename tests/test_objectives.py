import torch

from selfsup_core.masking import IGNORE_INDEX
from selfsup_core.models import Shape, build_model
from selfsup_core.objectives import Batch, bert_hidden_at, loss_and_hits


def padded_mlm_batch(vocab: int = 60, rows: int = 6, length: int = 24) -> Batch:
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, vocab, (rows, length), generator=gen)
    attention = torch.ones(rows, length, dtype=torch.bool)
    attention[0, 15:] = False  # a short last row, padded
    ids[~attention] = 0
    chosen = (torch.rand(rows, length, generator=gen) < 0.2) & attention
    chosen[2] = False  # a row with nothing to predict
    chosen[3, :] = attention[3]  # a row where everything is predicted
    return Batch(ids, torch.where(chosen, ids, IGNORE_INDEX), attention)


def test_sparse_mlm_loss_and_gradients_equal_the_full_models():
    torch.manual_seed(0)
    model = build_model("mlm", Shape(hidden=32, layers=3, heads=4, ffn=64), 60, 24)
    batch = padded_mlm_batch()

    loss, hits, n = loss_and_hits(model, batch, "mlm")
    loss.backward()
    ours = {name: p.grad.clone() for name, p in model.named_parameters()}
    model.zero_grad()
    reference = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask, labels=batch.labels)
    reference.loss.backward()

    assert n == int((batch.labels != IGNORE_INDEX).sum())
    torch.testing.assert_close(loss, reference.loss, rtol=1e-5, atol=1e-6)
    where = batch.labels != IGNORE_INDEX
    assert int(hits) == int((reference.logits[where].argmax(-1) == batch.labels[where]).sum())
    for name, p in model.named_parameters():
        torch.testing.assert_close(ours[name], p.grad, rtol=1e-4, atol=1e-6, msg=name)


def test_hidden_states_at_chosen_positions_only_match_the_full_forward():
    model = build_model("mlm", Shape(hidden=32, layers=2, heads=2, ffn=64), 60, 24).eval()
    batch = padded_mlm_batch()
    where = batch.labels != IGNORE_INDEX
    full = model.bert(input_ids=batch.input_ids, attention_mask=batch.attention_mask).last_hidden_state
    sparse = bert_hidden_at(model.bert, batch.input_ids, batch.attention_mask, where)
    torch.testing.assert_close(sparse, full[where], rtol=1e-5, atol=1e-6)
    nothing = bert_hidden_at(model.bert, batch.input_ids, None, torch.zeros_like(where))
    assert nothing.shape == (0, 32)
