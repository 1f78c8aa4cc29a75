"""Allow ``python -m minyi``."""

from __future__ import annotations

from minyi.cli import main

if __name__ == "__main__":
    main()
