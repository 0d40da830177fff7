"""Landing page: what self-supervised learning is, the two objectives, and a one-click demo."""

import streamlit as st

import ui
from selfsup_core import charts
from selfsup_core.config import quick_demo
from selfsup_core.corpus import load_builtin
from selfsup_core.runs import load_run

st.title("selfsup-lab: teach a language model with no labels")
st.markdown(
    "A language model can learn from raw text alone by **making its own exercises**: hide part of a "
    "sentence and learn to predict it. The text is both the question and the answer — that is "
    "*self-supervision*. Two ways of hiding text gave us BERT and GPT:"
)
left, right = st.columns(2)
with left:
    st.subheader("Masked LM (BERT)")
    st.markdown("Hide ~15% of the tokens (the set *M*); predict each from **both sides**.")
    st.latex(r"\mathcal{L}_{\text{MLM}} = -\sum_{i \in M} \log p\left(x_i \mid x_{\setminus M}\right)")
with right:
    st.subheader("Autoregressive LM (GPT)")
    st.markdown("Predict **every** next token from the tokens **before** it only.")
    st.latex(r"\mathcal{L}_{\text{AR}} = -\sum_{t} \log p\left(x_t \mid x_{<t}\right)")

st.divider()
st.subheader("Quick demo: 30 seconds of masked-LM training")
demo = quick_demo()
probe = load_builtin(demo.corpus).probes[0]
st.markdown(f"We train a mini BERT on the built-in English corpus, then ask it to fill the blank in "
            f"**{probe.text}**")  # fmt: skip
run_id = st.query_params.get("demo")
if st.button("▶ Run the quick demo", type="primary", disabled=bool(run_id and ui.jobs().status(run_id))):
    run_id = ui.jobs().submit(demo, owner=ui.session_id())
    st.query_params["demo"] = run_id
    ui.set_current_run(run_id)


@st.fragment(run_every=1.0 if run_id and ui.jobs().status(run_id) else None)
def demo_view(run_id: str) -> None:
    run = load_run(run_id)
    job = ui.jobs().status(run_id)
    lines = run.metrics()
    elapsed = lines[-1]["elapsed_s"] if lines else 0.0
    if job is not None:
        wait = f"queued (position {job.queue_position})" if job.state == "queued" else f"training… {elapsed:.0f} s"
        st.progress(min(elapsed / demo.time_budget_s, 1.0), text=wait)
    if lines:
        st.plotly_chart(charts.loss_curves([("demo", lines)]), key="demo-curve")
    if job is None and run.status != "running":
        if run.status == "failed":
            st.error(run.summary.get("error", "The demo failed."))
            return
        st.success(f"Done: {run.summary.get('steps')} steps in {run.summary.get('elapsed_s', 0):.0f} s. "
                   f"Held-out masked-token accuracy: {run.summary.get('val_accuracy', 0):.0%}.")  # fmt: skip
        show_fill(run)
        if st.session_state.get("demo_running"):
            st.session_state["demo_running"] = False
            st.rerun()  # drop the refresh timer
    else:
        st.session_state["demo_running"] = True


def show_fill(run) -> None:
    from selfsup_core.probe import fill_mask

    try:
        model, tokenizer, _ = ui.model(run.model_path)
        top = fill_mask(model, tokenizer, probe.text, top_k=5)[0].candidates
    except (ValueError, LookupError, OSError) as e:
        ui.error(e)
        return
    words = [c.token for c in top]
    st.plotly_chart(charts.bars(words, [c.prob for c in top], title=f"{probe.text}  (answer: {probe.answer})",
                                highlight=probe.answer), key="demo-bars")  # fmt: skip
    verdict = "✅ right" if words[0] == probe.answer else "❌ not yet — train longer on the Train page"
    st.markdown(f"Top guess: **{words[0]}** — {verdict}. Try your own sentences on the Probe page.")
    st.page_link("pages/probe.py", label="Open the Probe page", icon="🔍")


if run_id:
    try:
        demo_view(run_id)
    except (ValueError, LookupError, OSError) as e:
        ui.error(e)

st.divider()
st.subheader("The lab, step by step")
st.page_link("pages/corpus.py", label="1 · Corpus & tokens: what text, cut into which pieces", icon="📚")
st.page_link("pages/masking.py", label="2 · Masking lab: how the exercises are made", icon="🎭")
st.page_link("pages/train.py", label="3 · Train: watch the loss fall, live", icon="🏋️")
st.page_link("pages/probe.py", label="4 · Probe: ask the model to fill blanks and continue text", icon="🔍")
