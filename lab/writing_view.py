"""Two models writing the same prompt, played step by step side by side (the Inside the model page): BERT by
unmasking, GPT left to right (`unmasking.Writing`), their tokens as chips coloured by what each one is."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lab import widgets
from lab.i18n import t
from selfsup_core.masking import Fate
from selfsup_core.tokenization import MASK_TOKEN
from selfsup_core.unmasking import Writing

PLAY_S = 0.8  # seconds between two steps while the writing plays
# what a token is at a step -> the chip style it is drawn in (the masking lab's colours: a blank is [MASK]'s blue)
BLANK = "?"  # a [MASK] as its chip shows it: short, so eight blanks fit beside the prompt
LEGEND = {"prompt": Fate.UNTOUCHED, "blank": Fate.MASKED, "written": Fate.KEPT, "new": Fate.RANDOM}


def toggle_play(last: int) -> None:
    playing = not st.session_state.get("inside_playing", False)
    if playing and st.session_state.get("inside_step", 0) >= last:
        st.session_state["inside_step"] = 0  # play again from the start
    st.session_state["inside_playing"] = playing


def player(writings: dict[str, Writing], button: Any = st) -> None:
    """A play button (drawn in `button`, e.g. a column beside the page's inputs), the writings side by side
    with a step slider below them, then the chips' legend. While playing, a fragment moves the slider on every PLAY_S
    seconds (the script thread is never held); the whole page reruns at the last step to stop its timer. The
    button stays outside the fragment: a click reruns the page, which sets the timer."""
    last = max(len(w.steps) for w in writings.values()) - 1
    st.session_state["inside_step"] = min(st.session_state.get("inside_step", 0), last)
    playing = st.session_state.get("inside_playing", False)
    button.button(t("inside.pause" if playing else "inside.play"), icon=":material/pause:" if playing else ":material/play_arrow:",
                  on_click=toggle_play, args=(last,), key="inside_play", width="stretch")  # fmt: skip

    def frame() -> None:
        if st.session_state.get("inside_playing"):
            if st.session_state["inside_step"] >= last:
                st.session_state["inside_playing"] = False
                st.rerun()  # the whole page: the timer stops and the button says play again
            st.session_state["inside_step"] += 1
        shown, scrubber = st.container(), st.container()  # the slider below the writings, as a video's
        step = scrubber.slider(t("inside.step"), 0, last, key="inside_step")
        for column, (kind, writing) in zip(shown.columns(len(writings)), writings.items(), strict=True):
            with column:
                draw_writing(kind, writing, step)

    st.fragment(frame, run_every=PLAY_S if playing else None)()
    widgets.tokens([(t(f"inside.legend.{k}"), fate, None) for k, fate in LEGEND.items()])


def draw_writing(kind: str, writing: Writing, step: int) -> None:
    """One model's text at `step` (or its last step, if it finished sooner), token by token."""
    k = min(step, len(writing.steps) - 1)
    now = writing.steps[k]
    st.markdown(f"**{t(f'inside.writes.{kind}')}**")
    items = []
    for i, token in enumerate(now.tokens):
        if token in ("[CLS]", "[SEP]"):
            continue
        what = "prompt" if i < writing.prompt_tokens else "blank" if token == MASK_TOKEN else "written"
        what = "new" if i == now.written else what
        tip = t("inside.tip.new", p=now.prob) if what == "new" else t(f"inside.tip.{what}")
        items.append((BLANK if what == "blank" else widgets.token_label(token), LEGEND[what], tip))
    widgets.tokens(items)
    if now.written is None:
        st.caption(t("inside.start"))
    elif now.tokens[now.written] == "[SEP]":  # an AR model's end-of-text: no chip, the words say it
        st.caption(t("inside.ended", k=k, p=now.prob))
    else:
        st.caption(t("inside.wrote", k=k, token=widgets.token_label(now.tokens[now.written]), p=now.prob))
    if k == len(writing.steps) - 1 and k:
        st.caption(t("inside.done", k=k))
