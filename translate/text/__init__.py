"""Text: blocks, sentences, chunks, language, and the completeness check.

Pure functions over strings: no files, no models (token counts come in as a function), and
no import of any other layer.
"""
