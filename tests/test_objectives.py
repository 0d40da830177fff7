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


def test_a_packed_document_reads_as_if_alone():
    """Whatever document comes first in a row, and however long, the second one's hidden states are the same
    (MLM, and its sparse path); an AR document in the stream reads exactly as the same text alone would."""
    from selfsup_core.objectives import documents
    from selfsup_core.tokenization import CLS_ID, SEP_ID

    torch.manual_seed(0)
    second = [11, 12, 13]
    rows = [torch.tensor([[CLS_ID, *first, SEP_ID, *second, SEP_ID] + [0] * (9 - len(first))]) for first in
            ([7, 8, 9, 10], [20, 21])]  # fmt: skip
    mlm = build_model("mlm", Shape(hidden=32, layers=2, heads=2, ffn=64), 60, 16).eval()
    seen = []
    for ids in rows:
        mask, positions = documents(ids, causal=False)
        at = torch.zeros_like(ids, dtype=torch.bool)
        start = int((ids[0] == SEP_ID).nonzero()[0]) + 1
        at[0, start : start + len(second) + 1] = True  # the second document and its [SEP]
        full = mlm.bert(input_ids=ids, attention_mask=mask, position_ids=positions).last_hidden_state[at]
        sparse = bert_hidden_at(mlm.bert, ids, mask, at, positions)
        torch.testing.assert_close(sparse, full, rtol=1e-5, atol=1e-6)
        seen.append(full)
    torch.testing.assert_close(seen[0], seen[1], rtol=1e-5, atol=1e-6)
    assert documents(rows[1], causal=False)[1].tolist() == [[0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7]]

    ar = build_model("ar", Shape(hidden=32, layers=2, heads=2, ffn=64), 60, 16).eval()
    stream = torch.tensor([[SEP_ID, 7, 8, 9, 10, SEP_ID, *second, SEP_ID]])
    alone = torch.tensor([[SEP_ID, *second]])
    mask, positions = documents(stream, causal=True)
    packed = ar.transformer(input_ids=stream, attention_mask=mask, position_ids=positions).last_hidden_state
    torch.testing.assert_close(
        packed[0, 5:9], ar.transformer(input_ids=alone).last_hidden_state[0], rtol=1e-5, atol=1e-6
    )
