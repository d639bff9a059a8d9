"""Inputs: finding documents, reading their bytes safely, and extracting their text.

May use `translate.outputs.naming` (each document's outputs are named when it is found) and
`translate.text`; never the engines, the flow or the face.
"""
