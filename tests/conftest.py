"""Shared test settings: the suite never touches the network."""
import os

import matplotlib

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# Headless plotting for the unit tests only. Not through MPLBACKEND: `make test` runs tests/ and the
# notebooks in one pytest process, and the notebooks' kernels inherit the environment (they need the
# inline backend to put figures into their outputs).
matplotlib.use("Agg")
