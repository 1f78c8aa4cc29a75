"""LibreOffice as a service shared by ``ingest`` (legacy formats in) and ``formatter`` (PDF out)."""

from __future__ import annotations

from office.libreoffice import FILTERS, INSTALL_HINT, LibreOffice, OfficeError, find_soffice

__all__ = ["FILTERS", "INSTALL_HINT", "LibreOffice", "OfficeError", "find_soffice"]
