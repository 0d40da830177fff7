"""The Streamlit side of selfsup-lab: one module per concept, imported by the pages (lab/pages/) and app.py.

Named `lab`, not `app`: the entry script `app.py` (the README's `streamlit run app.py`) would share the name,
and `import app` would then find the package or the script depending on the path's order.

Rules (see CONVENTIONS.md): session_state holds UI state only (the settings dict, the current run id);
models, tokenizers and the job manager are process-wide `st.cache_resource` singletons (`resources`).
"""
