"""The flow: one document's steps, and the run's order over many (in one process, or on Ray).

The only package that sees every layer: it reads inputs, works on their text, runs the
engines and writes outputs. It never prints; it reports through `translate.progress`.
"""
