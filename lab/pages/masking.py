"""Masking lab: set how each objective's training exercises are made, and see what the model would read."""

import streamlit as st

from lab import charts, i18n, measures, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import corpus
from selfsup_core.config import MASK_STRATEGIES, OBJECTIVES
from selfsup_core.masking import Fate
from selfsup_core.preview import decoder_targets, expected_rates, preview
from selfsup_core.span_corruption import MEAN_SPAN, NOISE_DENSITY

AUGMENTS = ("noise", "delete", "shuffle", "permute")
PERCENT = dict(format="percent", step=0.05)

st.title(t("masking.title"))
st.caption(t("masking.caption"))
cfg = url_state.config_from_url(widgets=tuple(f"lab_{name}" for name in url_state.SETTINGS_IN_URL))
masking, augment = cfg.to_dict()["masking"], cfg.to_dict()["augment"]
# widgets start from the shared settings (Streamlit forgets a widget's state when another page is shown)
st.session_state.setdefault("lab_objective", cfg.objective)
for key, value in {**masking, **augment}.items():
    st.session_state.setdefault(f"lab_{key}", value)

settings, view = st.columns([1, 2], gap="large")
with settings:
    objective = st.radio(
        t("masking.objective"), OBJECTIVES, format_func=i18n.labels("masking.objective."), key="lab_objective"
    )
    keep = 1.0
    if objective in ("mlm", "electra"):  # ELECTRA's generator fills the tokens MLM's masking chooses
        masking["rate"] = st.slider(
            t("masking.rate"), 0.01, 0.9, format="percent", step=0.01, key="lab_rate", help=t("masking.rate_help")
        )
    if objective == "electra":
        st.caption(t("masking.electra_info"))
    if objective == "mlm":
        st.caption(t("masking.sees"))
        c1, c2 = st.columns(2)
        masking["mask_replace_prob"] = c1.slider("[MASK]", 0.0, 1.0, key="lab_mask_replace_prob", **PERCENT)
        masking["random_replace_prob"] = c2.slider(
            t("masking.random_token"), 0.0, 1.0, key="lab_random_replace_prob", **PERCENT
        )
        keep = 1 - masking["mask_replace_prob"] - masking["random_replace_prob"]
        st.caption(t("masking.keep", keep=max(keep, 0)))
    if objective in ("mlm", "electra"):
        masking["strategy"] = st.radio(
            t("masking.strategy"),
            MASK_STRATEGIES,
            horizontal=True,
            key="lab_strategy",
            format_func=i18n.labels("strategy."),
        )
        st.caption(
            t(
                "masking.strategy_explain",
                name=t(f"strategy.{masking['strategy']}"),
                explain=t(f"masking.strategy.{masking['strategy']}"),
            )
        )
        if masking["strategy"] == "span":
            c1, c2 = st.columns(2)
            masking["span_mean"] = c1.slider(
                t("masking.span_mean"), *url_state.LIMITS["span_mean"], step=0.5, format="%.1f", key="lab_span_mean"
            )
            masking["span_max"] = c2.slider(t("masking.span_max"), *url_state.LIMITS["span_max"], key="lab_span_max")
    elif objective == "ar":
        st.info(t("masking.ar_info"), icon=":material/arrow_forward:")
    else:
        st.info(t("masking.t5_info", density=NOISE_DENSITY, span=MEAN_SPAN), icon=":material/content_cut:")
    active = sum(bool(augment[name]) for name in AUGMENTS)
    with st.expander(t("masking.augments", n=active), expanded=bool(active)):
        for name in AUGMENTS:
            top = 0.9 if name == "delete" else 1.0
            augment[name] = st.slider(t(f"aug.{name}"), 0.0, top, key=f"lab_{name}", **PERCENT)
            st.caption(t(f"aug.explain.{name}"))
            if name == "shuffle" and augment["shuffle"] > 0:
                augment["shuffle_window"] = st.slider(
                    t("masking.shuffle_window"), *url_state.LIMITS["shuffle_window"], key="lab_shuffle_window"
                )
    link = st.container()  # filled last, once the seed is known too
    if keep < -1e-9:
        st.error(
            t("masking.over_100", mask=masking["mask_replace_prob"], random=masking["random_replace_prob"]),
            icon=":material/warning:",
        )
    else:
        try:
            url_state.update_config(objective=objective, masking=masking, augment=augment)
        except ValueError as e:
            widgets.error(e)

with view:
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    if c1.button(t("masking.resample"), help=t("masking.resample_help"), key="lab_resample"):
        url_state.update_config(seed=url_state.config().seed + 1)
    sentences = corpus.sample_documents(url_state.current_corpus(), 5)
    cfg = url_state.config()
    seed = cfg.seed
    source = cfg.corpus if cfg.corpus in corpus.builtin_names() else t("masking.your_text")
    c2.caption(t("masking.seen", seed=seed, source=source, tokenizer=t(f"corpus.kind.{cfg.tokenizer}")))
    tok = resources.tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size, cfg.lowercase)
    rows = preview(tok, sentences, cfg.objective, cfg.masking, cfg.augment, seed, cfg.seq_len)
    if cfg.objective == "t5":  # what the encoder reads beside what the decoder writes, a sentence a line
        st.columns([3, 2])[1].caption(t("masking.t5_writes"))
        for row in rows:
            reads, writes = st.columns([3, 2])
            with reads:
                widgets.token_views(row)
            with writes:
                widgets.token_views(decoder_targets(row))
    for row in rows if cfg.objective != "t5" else ():
        widgets.token_views(row)
    seen = {v.fate for row in rows for v in row} | {Fate.UNTOUCHED}
    widgets.legend(sorted(seen | {Fate.MASKED, Fate.RANDOM, Fate.KEPT} if cfg.objective == "mlm" else seen))
    st.caption(t("masking.targets_note"))
    expected = expected_rates(cfg.objective, cfg.masking, cfg.augment)
    if expected:
        realised = measures.realised_rates(cfg.to_dict(), seed)
        bars = i18n.labels("masking.bar.")
        expected, realised = ({bars(k): v for k, v in rates.items()} for rates in (expected, realised))
        st.markdown(f"**{t('masking.chart_title')}**")  # above the figure: a plotly title would sit on its legend
        widgets.chart(charts.setting_vs_realised(expected, realised), key="lab_rates")
    else:
        st.caption(t(f"masking.{cfg.objective}_no_chart", density=NOISE_DENSITY))
with link:
    widgets.share_link("masking")
