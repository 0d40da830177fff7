"""Masking lab: set how the training exercises are made, and see what the model would read."""

import streamlit as st

import ui
from selfsup_core import charts, corpus
from selfsup_core.augment import EXPLANATIONS
from selfsup_core.config import MASK_STRATEGIES
from selfsup_core.masking import Fate
from selfsup_core.preview import expected_rates, preview

OBJECTIVES = {"mlm": "MLM (BERT): fill in the blanks", "ar": "AR (GPT): predict the next token"}
STRATEGIES = {
    "token": "each token is chosen on its own, so half a word can be hidden (BERT).",
    "whole-word": "all pieces of a word are hidden together, so the visible half cannot give it away.",
    "span": "runs of whole words are hidden, so the model must rebuild whole phrases (SpanBERT).",
}
AUGMENTS = ("noise", "delete", "shuffle", "permute")
PERCENT = dict(format="percent", step=0.05)

st.title("Masking lab")
st.caption(
    "Self-supervised learning makes its own exercises: hide or spoil part of each sentence, ask for the original."
)
cfg = ui.config_from_url(widgets=tuple(f"lab_{name}" for name in ui.SETTINGS_IN_URL))
masking, augment = cfg.to_dict()["masking"], cfg.to_dict()["augment"]
# widgets start from the shared settings (Streamlit forgets a widget's state when another page is shown)
st.session_state.setdefault("lab_objective", cfg.objective)
for key, value in {**masking, **augment}.items():
    st.session_state.setdefault(f"lab_{key}", value)

settings, view = st.columns([1, 2], gap="large")
with settings:
    objective = st.radio("Objective", list(OBJECTIVES), format_func=OBJECTIVES.get, key="lab_objective")
    keep = 1.0
    if objective == "mlm":
        masking["rate"] = st.slider("Tokens to predict", 0.01, 0.9, format="percent", step=0.01, key="lab_rate",
                                    help="BERT: 15%. Fewer: little to learn per sentence; more: too little context left.")  # fmt: skip
        st.caption("What the model sees at those tokens:")
        c1, c2 = st.columns(2)
        masking["mask_replace_prob"] = c1.slider("[MASK]", 0.0, 1.0, key="lab_mask_replace_prob", **PERCENT)
        masking["random_replace_prob"] = c2.slider("a random token", 0.0, 1.0, key="lab_random_replace_prob", **PERCENT)
        keep = 1 - masking["mask_replace_prob"] - masking["random_replace_prob"]
        st.caption(f"the token itself (still predicted): **{max(keep, 0):.0%}**. Why not all [MASK]? Real text has "
                   "no [MASK], so the model must learn to doubt every token it sees.")  # fmt: skip
        masking["strategy"] = st.radio("What is hidden together", MASK_STRATEGIES, horizontal=True, key="lab_strategy")
        st.caption(f"**{masking['strategy']}**: {STRATEGIES[masking['strategy']]}")
        if masking["strategy"] == "span":
            c1, c2 = st.columns(2)
            masking["span_mean"] = c1.slider(
                "Mean span (words)", *ui.LIMITS["span_mean"], step=0.5, format="%.1f", key="lab_span_mean"
            )
            masking["span_max"] = c2.slider("Longest span (words)", *ui.LIMITS["span_max"], key="lab_span_max")
    else:
        st.info("AR hides nothing: GPT predicts every next token from the words on its left only, so the answer "
                "is never in view and no masking is needed.", icon="➡️")  # fmt: skip
    active = sum(bool(augment[name]) for name in AUGMENTS)
    with st.expander(f"Augmentations: extra corruption for robustness ({active} on)", expanded=bool(active)):
        for name in AUGMENTS:
            top = 0.9 if name == "delete" else 1.0
            augment[name] = st.slider(name.capitalize(), 0.0, top, key=f"lab_{name}", **PERCENT)
            st.caption(EXPLANATIONS[name].split(": ", 1)[1])
            if name == "shuffle" and augment["shuffle"] > 0:
                augment["shuffle_window"] = st.slider(
                    "Shuffle window (tokens)", *ui.LIMITS["shuffle_window"], key="lab_shuffle_window"
                )
    link = st.container()  # filled last, once the seed is known too
    if keep < -1e-9:
        st.error(f"[MASK] {masking['mask_replace_prob']:.0%} + random {masking['random_replace_prob']:.0%} is more "
                 "than 100%: lower one of them. The preview shows your last valid settings.", icon="⚠️")  # fmt: skip
    else:
        try:
            ui.update_config(objective=objective, masking=masking, augment=augment)
        except ValueError as e:
            ui.error(e)

with view:
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    if c1.button("🎲 Resample", help="Draw new random choices with the same settings (the seed, also the "
                 "training run's)"):  # fmt: skip
        ui.update_config(seed=ui.config().seed + 1)
    sentences = corpus.sample_documents(ui.current_corpus(), 5)
    cfg = ui.config()
    seed = cfg.seed
    source = cfg.corpus if cfg.corpus in corpus.builtin_names() else "your text"
    c2.caption(f"Seed **{seed}** · {source} · {cfg.tokenizer} tokens · hover a token to see its original")
    tok = ui.tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size)
    rows = preview(tok, sentences, cfg.objective, cfg.masking, cfg.augment, seed, cfg.seq_len)
    for row in rows:
        ui.token_views(row)
    seen = {t.fate for row in rows for t in row} | {Fate.UNTOUCHED}
    ui.legend(sorted(seen if cfg.objective == "ar" else seen | {Fate.MASKED, Fate.RANDOM, Fate.KEPT}))
    expected = expected_rates(cfg.objective, cfg.masking, cfg.augment)
    if expected:
        realised = ui.realised_rates(cfg.to_dict(), seed)
        st.plotly_chart(charts.setting_vs_realised(expected, realised, "Share of tokens: setting vs one real batch"))
    else:
        st.caption("AR predicts every token from the ones before it; turn on an augmentation to chart its rate.")
with link:
    ui.share_link("masking")
