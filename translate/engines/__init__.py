"""Engines: locating and loading models, and generating text with them (CTranslate2, torch).

Knows nothing of documents: it turns lists of strings into lists of strings.
"""
