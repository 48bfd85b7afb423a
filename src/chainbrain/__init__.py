"""ChainBrain (产业链大脑): a province's manufacturing industrial-chain program, end to end.

Layers (one package each, data flows one way):
catalog → store → analytics → web; ingest and demo write into store.
"""

__version__ = "0.1.0"
