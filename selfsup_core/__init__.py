"""selfsup_core: build corpora and tokenizers, mask text, train mini BERT / GPT models, probe them.

Headless on purpose (no streamlit here): the app, the CLI and the tests all call this library.
"""

__version__ = "0.1.0"
