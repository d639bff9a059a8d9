"""Outputs: their names, front matter, review views and atomic writes.

May use `translate.text` (a translated document's chunks); never inputs, engines, the flow
or the face.
"""
