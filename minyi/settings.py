"""One frozen settings object: defaults < minyi.toml < MINYI_* environment < flags.

Loaded once, at the edge (the CLI), and passed down; nothing deeper reads the
environment. Paths in minyi.toml are relative to the file's own folder; paths
from the environment or flags are relative to the working directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from common.errors import ConfigError, read_toml
from ingest.options import MB, DedupParams, IngestOptions, WatchOptions

CONFIG_NAME = "minyi.toml"


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default. Field names are the keys in minyi.toml."""

    data_dir: Path = Path("data")
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    workers: int = 0
    max_file_mb: int = 100
    max_text_chars: int = 1_000_000
    max_unpacked_mb: int = 300
    max_zip_entries: int = 5000
    max_xml_part_mb: int = 64
    max_pages: int = 2000
    min_page_chars: int = 10
    # Screening
    lexicons: tuple[Path, ...] = ()
    whitelists: tuple[Path, ...] = ()
    max_chars: int = 1500
    near_threshold: float = 0.35
    containment_threshold: float = 0.7
    min_dedup_chars: int = 50
    dedup_shingle: int = 5
    dedup_num_perm: int = 128
    dedup_bands: int = 64
    # OCR and conversion
    ocr_engine: str = "rapidocr"
    ocr_dpi: int = 300
    ocr_min_confidence: float = 0.8
    max_image_megapixels: int = 100
    max_pictures: int = 6
    office_timeout: int = 120
    file_timeout: int = 900
    paddle_det_model_dir: Path | None = None
    paddle_rec_model_dir: Path | None = None
    # The watched inbox
    watch_mode: str = "auto"
    settle_seconds: float = 2.0
    settle_closed_seconds: float = 0.5
    incomplete_seconds: float = 60.0
    rescan_seconds: float = 30.0
    poll_seconds: float = 1.0
    retry_limit: int = 8
    stop_grace_seconds: float = 20.0
    # The issue (期): office-wide defaults every new issue starts from
    templates: Path | None = None
    issue_journal: str = "社情民意信息"
    issue_unit: str = ""
    issue_mark: str = ""
    issue_report_to: tuple[str, ...] = ()
    issue_send_to: tuple[str, ...] = ()
    issue_distribute_to: tuple[str, ...] = ()
    issue_copies: int = 0
    issue_total_from: int = 0
    issue_first_number: int = 1  # a year's first regular issue number (starting mid-year)
    issue_editor: str = ""
    issue_reviewer: str = ""
    issue_signer: str = ""
    issue_print_names: bool = False
    issue_submitter: str = "title"
    issue_upward_submitter: str = "title"
    issue_contacts: bool = False
    issue_upward_contacts: bool = False
    issue_mask_pii: bool = True
    # Follow-through and statistics
    points_table: Path | None = None
    topics_table: Path | None = None
    clerk: str = ""
    # Find and decide
    review_required: bool = True  # only 拟采用 items may be composed into an issue
    search_words: tuple[Path, ...] = ()  # word lists (one a line) the search knows as words
    # The review desk (minyi serve)
    desk_idle_minutes: int = 30  # a session unused this long is ended

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.sqlite3"

    def watch_options(self) -> WatchOptions:
        return WatchOptions(
            mode=self.watch_mode,
            settle=self.settle_seconds,
            settle_closed=self.settle_closed_seconds,
            give_up=self.incomplete_seconds,
            rescan=self.rescan_seconds,
            poll=self.poll_seconds,
            retries=self.retry_limit,
            stop_grace=self.stop_grace_seconds,
        )

    def ingest_options(self) -> IngestOptions:
        return IngestOptions(
            max_file_bytes=self.max_file_mb * MB,
            max_text_chars=self.max_text_chars,
            max_unpacked_bytes=self.max_unpacked_mb * MB,
            max_zip_entries=self.max_zip_entries,
            max_xml_part_bytes=self.max_xml_part_mb * MB,
            max_pages=self.max_pages,
            min_page_chars=self.min_page_chars,
            workers=self.workers,
            lexicons=tuple(self.lexicons),
            whitelists=tuple(self.whitelists),
            max_chars=self.max_chars,
            dedup=DedupParams(self.dedup_shingle, self.dedup_num_perm, self.dedup_bands),
            near_threshold=self.near_threshold,
            containment_threshold=self.containment_threshold,
            min_dedup_chars=self.min_dedup_chars,
            ocr_engine=self.ocr_engine,
            ocr_dpi=self.ocr_dpi,
            ocr_min_confidence=self.ocr_min_confidence,
            max_image_pixels=self.max_image_megapixels * 1_000_000,
            max_pictures=self.max_pictures,
            office_timeout=self.office_timeout,
            file_timeout=self.file_timeout,
            paddle_det_model_dir=self.paddle_det_model_dir,
            paddle_rec_model_dir=self.paddle_rec_model_dir,
        )


_FIELDS = {f.name: f for f in fields(Settings)}
_MINIMUM = {"workers": 0, "min_page_chars": 0, "min_dedup_chars": 1, "dedup_shingle": 2,
            "issue_copies": 0, "issue_total_from": 0}  # fmt: skip
_PLACES = ("title", "end", "none")
_TRUE, _FALSE = ("true", "1", "yes", "是"), ("false", "0", "no", "否")


def load(config: Path | None = None, environ: Mapping[str, str] | None = None,
         **flags: Any) -> Settings:  # fmt: skip
    """Settings from ``config`` (or $MINYI_CONFIG, or the nearest minyi.toml from the working
    folder upwards), environment and flags."""
    environ = os.environ if environ is None else environ
    settings = Settings()
    path = config or (Path(environ["MINYI_CONFIG"]) if environ.get("MINYI_CONFIG") else None)
    if path is None:
        path = find_config(Path.cwd())
    if path is not None:
        settings = _apply(
            settings, read_toml(path, "配置文件"), f"配置文件 {path}", base=path.parent
        )
    env_values = {
        key[6:].lower(): value
        for key, value in environ.items()
        if key.startswith("MINYI_") and key != "MINYI_CONFIG"
    }
    settings = _apply(settings, env_values, "环境变量 MINYI_*", base=None)
    return _apply(settings, {k: v for k, v in flags.items() if v is not None}, "命令行参数", None)


def find_config(start: Path) -> Path | None:
    """minyi.toml in ``start`` or the nearest folder above it: run from a sub-folder (the
    inbox, a month's folder), minyi finds the office's settings and so its data folder."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _apply(settings: Settings, values: Mapping[str, Any], origin: str,
           base: Path | None) -> Settings:  # fmt: skip
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in _FIELDS:
            known = "、".join(_FIELDS)
            raise ConfigError(f"{origin} 中有未知的设置项「{key}」；可用的设置项：{known}")
        changes[key] = _convert(key, raw, origin, base)
    try:
        return _checked(replace(settings, **changes))
    except ValueError as exc:
        raise ConfigError(f"{origin} 中的设置有误：{exc}") from None


def _checked(settings: Settings) -> Settings:
    if settings.dedup_num_perm % settings.dedup_bands:
        raise ValueError("dedup_num_perm 必须是 dedup_bands 的整数倍")
    if settings.watch_mode not in ("auto", "events", "polling"):
        raise ValueError("watch_mode 只能是 auto、events 或 polling")
    for name in ("near_threshold", "containment_threshold", "ocr_min_confidence"):
        if not 0 < getattr(settings, name) <= 1:
            raise ValueError(f"{name} 应在 0 到 1 之间")
    for name in ("issue_submitter", "issue_upward_submitter"):
        if getattr(settings, name) not in _PLACES:
            raise ValueError(f"{name} 只能是 title（标题下）、end（文末）或 none（不印）")
    return settings


def _convert(key: str, raw: Any, origin: str, base: Path | None) -> Any:
    kind = _FIELDS[key].type
    if kind in ("Path", Path, "Path | None"):
        return _path(raw, base)
    if kind == "tuple[Path, ...]":
        items = raw.split(os.pathsep) if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ConfigError(f"{origin} 中的设置项「{key}」应为文件列表")
        return tuple(_path(item, base) for item in items if str(item))
    if kind == "tuple[str, ...]":
        items = re.split(r"[;；]", raw) if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{origin} 中的设置项「{key}」应为名称列表")
        return tuple(item.strip() for item in items if item.strip())
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if str(raw).strip().lower() in _TRUE + _FALSE:
            return str(raw).strip().lower() in _TRUE
        raise ConfigError(f"{origin} 中的设置项「{key}」应为 true 或 false，实际为「{raw}」")
    if kind == "str" and not isinstance(raw, str):
        raise ConfigError(f"{origin} 中的设置项「{key}」应为文字，实际为「{raw}」")
    if kind == "float":
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{origin} 中的设置项「{key}」应为数字，实际为「{raw}」") from None
    if kind in ("int", int):
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{origin} 中的设置项「{key}」应为整数，实际为「{raw}」") from None
        if isinstance(raw, bool) or value < _MINIMUM.get(key, 1):
            raise ConfigError(f"{origin} 中的设置项「{key}」取值 {raw} 无效") from None
        return value
    return raw


def _path(raw: Any, base: Path | None) -> Path:
    path = Path(str(raw)).expanduser()
    return base / path if base is not None and not path.is_absolute() else path
