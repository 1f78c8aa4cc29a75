"""minyi (民意): intake, screening and bulletin composition for 社情民意信息 work.

The ``minyi`` package is the thin application layer (CLI, settings, shared errors);
the work is done by the ``ingest`` and ``formatter`` libraries.
"""

from __future__ import annotations

__version__ = "0.1.0"
