"""Train: choose an objective and a size, launch a run in the background, watch it learn, compare runs."""

import streamlit as st

from lab import actions, charts, i18n, live, measures, ownership, resources, run_table, run_view, url_state, widgets
from lab.i18n import t
from selfsup_core import runs
from selfsup_core.config import OBJECTIVES

WIDGETS = ("train_objective", "train_size", "train_by_time", "train_budget", "train_steps", "train_lr", "train_batch")


def choices(cfg) -> dict:
    """The page's own settings (objective, size, length, lr, batch, seed), as changes to the shared ones."""
    objective = st.radio(
        t("train.objective"),
        list(OBJECTIVES),
        format_func=i18n.labels("train.objective."),
        horizontal=True,
        captions=[t(f"train.predicts.{o}") for o in OBJECTIVES],
        index=OBJECTIVES.index(cfg.objective),
        key="train_objective",
    )
    size = widgets.size_picker(t("train.size"), cfg.size, "train_size")
    by_time = st.toggle(t("train.by_time"), value=cfg.time_budget_s is not None, key="train_by_time")
    b, _ = st.columns(2)  # the toggle on a line of its own: its label is longer than half the column
    if by_time:
        budget = int(cfg.time_budget_s or 60)
        seconds = b.number_input(t("train.seconds"), *url_state.LIMITS["time_budget_s"], budget, 5, key="train_budget")
        length = {"time_budget_s": float(seconds), "steps": url_state.NO_STEP_LIMIT}
    else:
        wanted = min(cfg.steps, 300 if cfg.time_budget_s else 20_000)
        length = {
            "time_budget_s": None,
            "steps": b.number_input(t("train.steps"), 1, 20_000, wanted, 50, key="train_steps"),
        }
    a, b, c = st.columns(3)
    lr = a.number_input(t("train.lr"), value=cfg.lr, step=1e-4, format="%.4f", key="train_lr")
    batch = b.number_input(t("train.batch"), *url_state.LIMITS["batch_size"], cfg.batch_size, key="train_batch")
    seed_help = t("train.seed_help")
    seed = c.number_input(t("train.seed"), *url_state.LIMITS["seed"], cfg.seed, key="train_seed", help=seed_help)
    return dict(objective=objective, size=size, lr=lr, batch_size=batch, seed=seed, **length)


def launch_box(changes: dict):
    """The model's size and time estimate, Launch, and launching a downloaded config.json again; the new settings
    (None when they are not valid: the reason is shown)."""
    try:
        cfg = url_state.update_config(**changes)
        vocab = len(resources.tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size, cfg.lowercase))
        est = measures.estimate(cfg.objective, cfg.size, cfg.seq_len, cfg.batch_size, cfg.tokenizer, vocab)
        n, step_s = est["parameters"], est["step_s"]
        shown = f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.0f} k"
        st.metric(t("train.parameters"), shown, help=t("train.vocab", n=vocab))
        total = step_s * (min(cfg.steps, cfg.time_budget_s / step_s) if cfg.time_budget_s else cfg.steps)
        st.metric(t("train.estimate"), widgets.duration(total), help=t("train.per_step", ms=step_s * 1000))
    except ValueError as e:
        widgets.error(e)
        cfg = None
    launch = st.button(
        t("train.launch"),
        type="primary",
        icon=":material/rocket_launch:",
        disabled=cfg is None,
        width="stretch",
        key="train_launch",
    )
    if launch:
        url_state.set_current_run(actions.submit(cfg))
    with st.expander(t("train.reproduce"), icon=":material/replay:"):
        up = widgets.upload(t("train.reproduce_upload"), (".json",), key="train_reproduce")
        try:
            again = url_state.config_from_upload(up.getvalue()) if up else None
        except ValueError as e:
            widgets.error(e)
            again = None
        if again and st.button(t("train.reproduce_launch"), icon=":material/replay:", key="train_reproduce_launch"):
            url_state.set_current_run(actions.submit(again))
    widgets.share_link("train")
    return cfg


def summary(c) -> None:
    """The shared settings set on other pages, with links to them."""
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="center")
    c1.markdown(run_view.settings_summary(c))
    c2.page_link("lab/pages/corpus.py", label=t("train.corpus_link"), icon=":material/menu_book:")
    c3.page_link("lab/pages/masking.py", label=t("train.masking_link"), icon=":material/theater_comedy:")


def live_run(ids: list[str], drawn: str | None) -> None:
    """This session's current run while it trains (a live view): status, figures, curves; then its exports."""
    run_id = ids[0]
    try:
        run = runs.load_run(run_id)
    except runs.RunNotFoundError as e:
        return widgets.error(e)
    if not ownership.visible_runs([run]):
        return st.info(t("train.private"))
    job, lines = resources.jobs().status(run_id), run.metrics()
    p, c = runs.progress(run.config, lines, run.summary), run.config
    name = t(f"train.objective.{c['objective']}")
    st.subheader(
        t("train.this_run", objective=name, size=i18n.size_name(c["size"]), corpus=ownership.shown_path(c["corpus"]))
    )
    st.caption(t("train.run_id", run_id=run_id))
    run_view.state(run, job, p)
    if not (job and job.state == "queued"):  # while queued there is nothing to show yet (and no figure to build)
        run_view.figures(p, training=bool(job))
        widgets.chart(charts.loss_curves([(name, lines)]), key=f"live-{run_id}")
    run_view.config_download(run)
    stop_help = t("train.stop_help")
    if (
        job
        and ownership.may_change(run)
        and st.button(t("train.stop"), icon=":material/stop_circle:", key=f"stop-live-{run_id}", help=stop_help)
    ):
        actions.stop_run(run_id)
    if not job and (run.model_path / "model.safetensors").exists():
        st.page_link(
            "lab/pages/probe.py", label=t("train.probe_link"), icon=":material/search:", query_params={"run": run_id}
        )
        run_view.exports(run)


st.title(t("train.title"))
st.caption(t("train.caption"))
cfg = url_state.config_from_url(widgets=(*WIDGETS, "train_seed"))
top = st.container()  # filled below, once this run's choices are known
left, right = st.columns([3, 2], gap="large")
with left:
    changes = choices(cfg)
with right:
    cfg = launch_box(changes)
with top:
    summary(cfg or url_state.config())
run_id = url_state.current_run()
if run_id:
    live.view(live_run, [run_id])
st.header(t("train.past"))
run_table.past_runs()
