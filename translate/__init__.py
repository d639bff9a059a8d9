"""translate: German documents in, English summaries out.

The public API is small: load the models once, then process files.

    from translate import RunOptions, process_paths
"""

from translate.config import VERSION, RunOptions

__version__ = VERSION

__all__ = ["RunOptions", "__version__", "process_paths"]


def __getattr__(name: str):
    # Lazy so that `import translate` (and `translate --help`) never pulls in torch.
    if name == "process_paths":
        from translate.flow.run import process_paths

        return process_paths
    raise AttributeError(name)
