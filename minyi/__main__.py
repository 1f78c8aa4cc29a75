"""Allow ``python -m minyi``."""

from __future__ import annotations

from minyi.cli import main

main()
