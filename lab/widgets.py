"""Shared drawing: token chips (styled by their fate), probability bars, charts, errors, the share-link box,
run labels and the run-status table."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import streamlit as st

from lab import i18n
from lab.i18n import t
from lab.ownership import session_id
from lab.resources import all_runs, jobs
from selfsup_core import charts, verdicts
from selfsup_core.runs import RunNotFoundError, live_status, load_run

if TYPE_CHECKING:  # masking imports torch, which a page without token chips need not wait for
    from selfsup_core.masking import Fate

log = logging.getLogger("selfsup_lab")

# Token states: Okabe-Ito colours, and a second cue (border style / strike-through) for colour-blind
# readers and grey-scale projectors.
FATE_STYLE: dict[str, str] = {  # by `Fate` name
    "UNTOUCHED": "background:#f2f2f2;border:2px solid #d0d0d0;",
    "MASKED": "background:#0072B2;color:#fff;border:2px solid #003f63;font-weight:700;",
    "RANDOM": "background:#E69F00;color:#000;border:2px dashed #000;",
    "KEPT": "background:#009E73;color:#fff;border:2px dotted #000;",
    "NOISED": "background:#D55E00;color:#fff;border:2px dashed #fff;text-decoration:underline wavy;",
    "SHUFFLED": "background:#CC79A7;color:#000;border:2px double #000;",
    "DELETED": "background:#fff;color:#777;border:2px dashed #999;text-decoration:line-through;",
}


TOKEN_CSS = (
    "display:inline-block;margin:3px 2px;padding:2px 8px;border-radius:6px;font-size:1.35rem;font-family:monospace;"
)
TARGET_CSS = "text-decoration:underline;text-decoration-thickness:3px;text-underline-offset:5px;"  # a loss target


def fate_label(fate: Fate) -> str:
    """What happened to a token, in the session's language (legend and tooltips)."""
    return t(f"fate.{fate.name.lower()}")


def chart(fig: Any, key: str | None = None) -> None:
    """A figure (from `lab.charts`, in the session's language) drawn as it was styled: theme=None keeps the
    Okabe-Ito palette and projector font sizes that Streamlit's theme would override."""
    st.plotly_chart(fig, key=key, theme=None)


def tokens(items: list[tuple[str, Fate, str | None]]) -> None:
    """Show tokens as boxes styled by their fate; each item is (text, fate, tooltip). Text is escaped."""
    spans = [
        f'<span style="{TOKEN_CSS}{FATE_STYLE[fate.name]}" title="{html.escape(tip or fate_label(fate))}">'
        f"{html.escape(text)}</span>"
        for text, fate, tip in items
    ]
    st.html(f'<div style="line-height:2.4">{"".join(spans)}</div>')


def legend(fates: list[Fate]) -> None:
    tokens([(fate_label(f), f, None) for f in fates])


def error(e: BaseException) -> None:
    """Show a core error's message; anything unexpected is logged with its traceback and apologised for."""
    if isinstance(e, ValueError | LookupError | OSError):
        st.error(i18n.error_text(e), icon=":material/warning:")
    else:
        log.exception("unexpected error", exc_info=e)
        st.error(t("error.sorry"), icon=":material/build:")


# A token is shown as the text it stands for, its whitespace made visible: bpe's " cat" reads "␣cat", a newline
# token "↵". One helper for the token boxes and the charts' labels.
SPACE_MARK, NEWLINE_MARK, TAB_MARK = "\u2423", "\u21b5", "\u21e5"  # ␣ ↵ ⇥


_MARK_CSS = "opacity:.55;font-weight:400"  # a mark is quieter than the letters beside it


def token_label(text: str) -> str:
    """A token's text (`tokenization.token_texts`) with its spaces, newlines and tabs as visible marks."""
    return text.replace(" ", SPACE_MARK).replace("\n", NEWLINE_MARK).replace("\t", TAB_MARK)


def _token_html(text: str) -> str:
    """`token_label` of `text`, HTML-escaped, its marks drawn faint."""
    shown = html.escape(token_label(text))
    for mark in (SPACE_MARK, NEWLINE_MARK, TAB_MARK):
        shown = shown.replace(mark, f'<span style="{_MARK_CSS}">{mark}</span>')
    return shown


def token_bars(candidates: list, title: str, expected: str | None = None, key: str | None = None) -> None:
    """Probability bars of `probe.Candidate`s, labelled by `token_label`; the bar of the `expected` answer is
    highlighted (a bpe token " cat" counts as the answer "cat")."""
    labels = [token_label(c.token) for c in candidates]
    hits = [lab for c, lab in zip(candidates, labels, strict=True) if expected and c.token.strip() == expected.strip()]
    hit = hits[0] if hits else None
    chart(charts.bars(labels, [c.prob for c in candidates], title=title, highlight=hit), key=key)


def token_views(views: list) -> None:
    """Show `preview.TokenView`s like `tokens`, as the text they stand for (`token_label`); a word's
    continuation pieces ("play" "ing") sit glued to its start, and a token that ends a line ends the row.

    The tooltip gives the token the model is asked for when it was corrupted or is predicted; a target (the
    loss is computed on it) is underlined.
    """
    spans = []
    for i, v in enumerate(views):
        glue_left = not v.is_word_start and i > 0
        glue_right = i + 1 < len(views) and not views[i + 1].is_word_start
        css = TOKEN_CSS + FATE_STYLE[v.fate.name] + (TARGET_CSS if v.target else "")
        css += "margin-left:0;border-top-left-radius:0;border-bottom-left-radius:0;" if glue_left else ""
        css += "margin-right:0;border-top-right-radius:0;border-bottom-right-radius:0;" if glue_right else ""
        original = token_label(v.original) if v.original else ""
        tip = fate_label(v.fate) + (t("token.must_predict", original=original) if original else "")
        tip += t("token.target") if v.target and not original else ""
        tip += "" if v.is_word_start else t("token.continues")
        spans.append(f'<span style="{css}" title="{html.escape(tip)}">{_token_html(v.text)}</span>')
        if v.text.endswith("\n") and i + 1 < len(views):
            spans.append("<br>")  # the boxes keep the text's lines
    st.html(f'<div style="line-height:2.4;padding-bottom:6px;border-bottom:1px solid #e6e6e6">{"".join(spans)}</div>')


def upload(label: str, types: tuple[str, ...], key: str) -> Any:
    """A file uploader for files of `types` (".json", ...): it takes any file and says, in the session's language
    and in the page, when the file's type cannot be used here (Streamlit's own `type=` check answers in English,
    in a hover on the file chip). The upload, or None."""
    up = st.file_uploader(label, key=key)
    if up is not None and Path(up.name).suffix.lower() not in types:
        st.error(t("error.wrong_type", name=up.name, types=", ".join(types)), icon=":material/warning:")
        return None
    return up


def share_link(page: str) -> None:
    """A "Share link" box holding this page's URL with its settings; the code block's copy button puts it on
    the clipboard (Streamlit has no clipboard API). `page`: the page's URL path, e.g. "train"."""
    url = (st.context.url or "").rstrip("/")  # the page's address in the browser, without the query
    url = url if url.endswith(f"/{page}") else f"{url}/{page}"
    query = urlencode(st.query_params.to_dict())
    with st.popover(t("url.share"), icon=":material/link:"):
        st.caption(t("url.share_help"))
        st.code(url + (f"?{query}" if query else ""), language=None, wrap_lines=True)


def status(name: str) -> str:
    """A run's status word (completed, stopped, …) in the session's language."""
    return t(f"status.{name}") if f"status.{name}" in i18n.TEXT else name


def duration(seconds: float | None) -> str:
    """Seconds as the class reads them: "45 s" under a minute and a half, else minutes."""
    if seconds is None:
        return "—"
    return t("train.seconds_short", n=seconds) if seconds < 90 else t("train.minutes_short", n=seconds / 60)


def run_labels():
    """A `format_func` naming runs (by id) wherever one is picked: whose ("yours" for this browser's own, else the
    nickname it was launched under), what (objective and size), how long (its time budget or steps), how well
    (held-out accuracy once it has one, else where it stands), and the end of its id to tell two alike apart:
    "yours · MLM mini · 30 s · 65% · #3f2a". The owner and language are fixed when it is made, as `i18n.labels`'."""
    me, language = session_id(), i18n.lang()
    known = {r.id: r for r in all_runs()}  # the server's cached listing: no files read per option
    return lambda run_id: _run_label(known.get(run_id) or run_id, me, language)


def _run_label(r: Any, me: str, language: str) -> str:
    if isinstance(r, str):  # not in the listing (just made, or deleted): read it
        try:
            r = load_run(r)
        except RunNotFoundError:
            return r
    run_id, c, s = r.id, r.config, r.summary
    who = i18n.text("runs.yours", language) if r.owner is not None and r.owner == me else r.nickname
    size = i18n.size_name(c.get("size", ""), language)
    budget = c.get("time_budget_s")
    length = i18n.text("train.seconds_short", language, n=budget) if budget else None
    length = length or i18n.text("runs.steps", language, n=c.get("steps", 0))
    job = jobs().status(run_id)
    state = live_status(r, job.state if job else None)
    finished = state in ("completed", "stopped") and s.get("val_accuracy") is not None
    how = f"{s['val_accuracy']:.0%}" if finished else i18n.text(f"status.{state}", language)
    parts = [who, f"{str(c.get('objective', '?')).upper()} {size}", length, how, f"#{run_id[-4:]}"]
    return " · ".join(p for p in parts if p)


def run_status(ids: list[str], labels: list[str]) -> None:
    """One row per run: its label, where it stands (waiting / queued #n / running / final status) and figures."""
    import pandas as pd  # pyarrow with it: a second on a busy laptop, paid only where a table is drawn

    from lab import tables
    from selfsup_core.runs import progress

    rows = []
    for rid, label in zip(ids, labels, strict=True):
        run, job = load_run(rid), jobs().status(rid)
        p = progress(run.config, run.metrics(), run.summary)
        state = live_status(run, job.state if job else None)
        state = t("status.queued_at", n=job.queue_position) if state == "queued" and job else status(state)
        rows.append(
            {
                "run": label,
                "status": state,
                "progress": p["fraction"],
                "step": p["step"],
                "held-out accuracy": p["val_accuracy"],
                "id": rid,
            }
        )
    shown, columns = tables.dashed(
        pd.DataFrame(rows, columns=["run", "status", "progress", "step", "held-out accuracy", "id"]),
        {
            "run": t("runs.col.run"),
            "status": t("runs.col.status"),
            "step": t("runs.col.step"),
            "progress": st.column_config.ProgressColumn(
                t("runs.col.progress"), min_value=0, max_value=1, format="percent"
            ),
            "held-out accuracy": st.column_config.NumberColumn(t("runs.col.accuracy"), format="percent"),
        },
    )
    st.dataframe(shown, hide_index=True, column_config=columns)


def verdict(v: Any, all_of: str, on: str | None = None) -> None:
    """An `verdicts.Verdict` in words: too early (a warning), within the spread (a note), or who is ahead.
    all_of: what the compared settings are called together ("both models", "all 3 mask rates"); on: what the
    figure compared is (default: "on the same blanks")."""
    on = on or t("verdict.on.blank_accuracy")

    if v.kind == verdicts.TOO_EARLY:
        names = all_of if len(v.guessing) == len(v.spreads) else t("verdict.and").join(v.guessing)
        st.warning(t("verdict.too_early", names=names), icon=":material/hourglass_top:")
        return
    if v.kind == verdicts.WITHIN_SPREAD:
        st.info(
            t(
                "verdict.within",
                best=next(iter(sorted(v.spreads, key=lambda n: -v.spreads[n].median))),
                runner_up=v.runner_up,
                gap=v.gap,
                noise=v.noise,
                on=on,
            ),
            icon=":material/horizontal_rule:",
        )
    else:
        st.success(
            t("verdict.wins", best=v.best, runner_up=v.runner_up, gap=v.gap, noise=v.noise, on=on),
            icon=":material/straighten:",
        )
    if v.seeds < 2:
        st.caption(t("verdict.one_seed"))


def size_picker(label: str, default: str, key: str, where: Any = st) -> str:
    """The model-size buttons (the presets this server allows), named in the session's language."""
    from selfsup_core.models import available_sizes

    sizes = available_sizes()
    return where.segmented_control(
        label, sizes, format_func=i18n.labels("size."), default=default, required=True, key=key
    )


def numbered(label: str, n: int, key: str, where: Any = st) -> int:
    """A row of buttons 1..n (a layer, a head); the chosen index, from 0."""
    return where.segmented_control(label, range(n), default=0, required=True, format_func=lambda i: f"{i + 1}", key=key)
