"""Landing page: what self-supervised learning is, the two objectives, and a one-click demo."""

import streamlit as st

from lab import actions, charts, i18n, live, resources, url_state, widgets
from lab.i18n import t
from selfsup_core.config import quick_demo
from selfsup_core.corpus import load_builtin
from selfsup_core.runs import load_run

st.title(t("home.title"))
st.markdown(t("home.intro"))
left, right = st.columns(2)
with left:
    st.subheader(t("home.mlm"))
    st.markdown(t("home.mlm_what"))
    st.latex(r"\mathcal{L}_{\text{MLM}} = -\sum_{i \in M} \log p\left(x_i \mid x_{\setminus M}\right)")
    st.caption(t("home.mlm_formula", i="$i$", M="$M$", xi="$x_i$", rest=r"$x_{\setminus M}$"))
with right:
    st.subheader(t("home.ar"))
    st.markdown(t("home.ar_what"))
    st.latex(r"\mathcal{L}_{\text{AR}} = -\sum_{t} \log p\left(x_t \mid x_{<t}\right)")
    st.caption(t("home.ar_formula", t="$t$", xt="$x_t$", before="$x_{<t}$"))

st.divider()
st.subheader(t("home.demo"))
demo = quick_demo("world-zh" if i18n.lang() == "zh" else "world-en")  # a Chinese class gets a Chinese world
probe = load_builtin(demo.corpus).probes[0]
st.markdown(t("home.demo_what", text=probe.text))
run_id = st.query_params.get("demo")
if st.button(t("home.run_demo"), type="primary", disabled=bool(run_id and resources.jobs().status(run_id))):
    run_id = actions.submit(demo)
    st.query_params["demo"] = run_id
    url_state.set_current_run(run_id)


def demo_view(ids: list[str], drawn: str | None) -> None:
    """The demo run's progress and curve while it trains (a live view), then its first fill-in."""
    run_id = ids[0]
    run = load_run(run_id)
    job = resources.jobs().status(run_id)
    lines = run.metrics()
    elapsed = lines[-1]["elapsed_s"] if lines else 0.0
    if job is not None:
        wait = t("home.queued", n=job.queue_position) if job.state == "queued" else t("home.training", seconds=elapsed)
        st.progress(min(elapsed / demo.time_budget_s, 1.0), text=wait)
    if lines:
        widgets.chart(charts.loss_curves([("demo", lines)]), key="demo-curve")
    if job is None and run.status != "running":
        if run.status == "failed":
            st.error(run.summary.get("error", t("home.failed")))
            return
        st.success(
            t(
                "home.done",
                steps=run.summary.get("steps"),
                seconds=run.summary.get("elapsed_s", 0),
                accuracy=run.summary.get("val_accuracy", 0),
            )
        )
        show_fill(run)


def show_fill(run) -> None:
    from selfsup_core.probe import answer_rank, fill_mask

    # the demo that ran (the URL keeps it across a language switch), not the one this language would start
    shown = load_builtin(run.config["corpus"]).probes[0]
    try:
        model, tokenizer, _ = resources.model(run.model_path)
        top = fill_mask(model, tokenizer, shown.text, top_k=5)[0].candidates
        rank = answer_rank(model, tokenizer, shown.text, shown.answer)
    except (ValueError, LookupError, OSError) as e:
        widgets.error(e)
        return
    widgets.token_bars(top, t("home.bars_title", text=shown.text, answer=shown.answer), shown.answer, key="demo-bars")
    verdict = t("home.right") if top[0].token.strip() == shown.answer else t("home.not_yet")
    st.markdown(t("home.top_guess", word=widgets.token_label(top[0].token), verdict=verdict))
    if rank is not None and rank.rank > 1:  # not its top guess: how far off is it?
        st.markdown(t("home.answer_rank", answer=shown.answer, rank=rank.rank, prob=rank.prob, n=rank.vocabulary))
    st.page_link("lab/pages/probe.py", label=t("home.open_probe"), icon=":material/search:")


if run_id:
    try:
        live.view(demo_view, [run_id])
    except (ValueError, LookupError, OSError) as e:
        widgets.error(e)

st.divider()
st.subheader(t("home.steps"))
st.page_link("lab/pages/corpus.py", label=t("home.step1"), icon=":material/menu_book:")
st.page_link("lab/pages/masking.py", label=t("home.step2"), icon=":material/theater_comedy:")
st.page_link("lab/pages/train.py", label=t("home.step3"), icon=":material/fitness_center:")
st.page_link("lab/pages/probe.py", label=t("home.step4"), icon=":material/search:")
st.page_link("lab/pages/lessons.py", label=t("lessons.home_link"), icon=":material/school:")
