"""The external engines an extractor may need, built on first use, once per process.

Text-only batches never load an OCR model or start LibreOffice. A missing
engine is reported per file (the file is rejected with the reason and what to
install), so a batch of Word files goes on without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from common.errors import ConfigError, ExtractionError
from common.timing import phase
from ingest.ocr import ENGINES, OcrEngine
from ingest.options import IngestOptions
from office import INSTALL_HINT, LibreOffice, find_soffice


@dataclass
class Tools:
    options: IngestOptions
    _ocr: OcrEngine | None = field(default=None, repr=False)
    _office: LibreOffice | None = field(default=None, repr=False)

    def ocr(self) -> OcrEngine:
        if self._ocr is None:
            factory = ENGINES.get(self.options.ocr_engine)
            if factory is None:
                known = "、".join(ENGINES)
                raise ConfigError(f"未知的 OCR 引擎「{self.options.ocr_engine}」；可选：{known}")
            with phase("model"):
                self._ocr = factory(self.options)
        return self._ocr

    def office(self) -> LibreOffice:
        if self._office is None:
            binary = find_soffice()
            if binary is None:
                raise ExtractionError(
                    f"读取 .doc/.wps/.rtf/.odt 文件需要 LibreOffice，本机未安装（{INSTALL_HINT}）"
                )
            self._office = LibreOffice(binary, self.options.office_timeout)
        return self._office


_PER_PROCESS: dict[IngestOptions, Tools] = {}


def tools_for(options: IngestOptions) -> Tools:
    """This process's tools for these options (engines are costly to load: keep them)."""
    if options not in _PER_PROCESS:
        _PER_PROCESS[options] = Tools(options)
    return _PER_PROCESS[options]


def close_all() -> None:
    """Stop this process's engines (the LibreOffice server above all)."""
    for tools in _PER_PROCESS.values():
        if tools._office is not None:
            tools._office.close()
            tools._office = None
