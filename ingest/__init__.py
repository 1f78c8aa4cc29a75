"""Intake: from a file in inbox/ to a screened record in the registry.

Format detection by content, one extractor per format, text normalisation,
recognition of title and 反映人, the content-addressed archive, the SQLite
registry and the batch pipeline. Never imports ``formatter``.
"""
