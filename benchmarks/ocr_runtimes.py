"""OCR runtimes by the numbers: onnxruntime (minyi's) against OpenVINO on the same models.

The same PP-OCR detection and recognition models from the RapidOCR wheel, the same settings
(longer side 1,280 for detection, lines recognised one at a time, one thread a worker) and
the same pages as ``benchmarks/ocr_settings.py`` (clean, scanned, phone and turned pages,
dense pages of about 2,100 characters in 10 pt type, pages of numbers), read by minyi's
``read_page``. Only the runtime under the two models differs:

- **onnxruntime**: minyi's reader as it is (``ingest.ocr.rapid``).
- **OpenVINO, shapes as they come**: each model compiled once with its dynamic input.
- **OpenVINO, fixed shapes**: one compiled model per input shape. The page goes to the
  detector padded with white to a fixed canvas (1,280 × 960 either way, 1,280 × 1,280 for a
  near-square page) and the detector's output is cut back to the page; a line goes to the
  recogniser padded to the next of a few widths (320 px doubling), as RapidOCR pads a line to
  320 px itself.

OpenVINO uses its default precision for the CPU: bfloat16 where the CPU has it (AVX-512 BF16
or AMX), float32 elsewhere. Pinning is off: with it, two single-thread workers were pinned to
the same core. Each runtime runs as ``--workers`` processes at once (the 2-core machine's
batch runs two readers), each reading every page, so the figures are a worker's under load.
Printed per runtime: CER and seconds a page per page kind, each worker's peak memory (VmHWM:
model load included), and the effective seconds a page (a worker's mean seconds a page while
the others read, over the number of workers), with its ratio to the first row.

minyi's targets (issue 19): at most 0.4 s a page effective on two cores, at most 600 MB a
worker, and the same CER. OpenVINO is optional here: ``pip install openvino`` (a 59 MB wheel);
without it only the onnxruntime row runs.

Usage: python benchmarks/ocr_runtimes.py [--dense 1] [--workers 2] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from ocr import peak_mb  # VmHWM: a child's ru_maxrss starts at its parent's size

RUNTIMES = {
    "onnxruntime（采用）": "onnxruntime",
    "OpenVINO 动态形状": "openvino-dynamic",
    "OpenVINO 固定形状": "openvino-fixed",
}


def _canvas(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The fixed detector input a page of ``shape`` (N, C, H, W) is padded to."""
    n, c, h, w = shape
    short = 960 if min(h, w) <= 960 else 1280
    return (n, c, max(h, w), short) if h >= w else (n, c, short, max(h, w))


def _width(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The fixed recogniser input a line of ``shape`` is padded to (320 px doubling)."""
    n, c, h, w = shape
    return (n, c, h, 320 * 2 ** max(0, math.ceil(math.log2(w / 320))))


class OpenVinoSession:
    """An OpenVINO model where RapidOCR calls its onnxruntime session (``session(x)``).

    With ``fixed`` a shape function, one model is compiled per padded shape; the padding is
    ``fill`` (white for the detector, whose input is scaled to -1..1; RapidOCR's own zeros for
    the recogniser) and the detector's map is cut back to the page."""

    def __init__(self, core: Any, path: Path, fixed: Callable[..., tuple[int, ...]] | None,
                 fill: float) -> None:  # fmt: skip
        self._core, self._path, self._fixed, self._fill = core, path, fixed, fill
        self._config = {"INFERENCE_NUM_THREADS": 1, "NUM_STREAMS": 1,
                        "PERFORMANCE_HINT": "LATENCY", "ENABLE_CPU_PINNING": False}  # fmt: skip
        self._compiled: dict[tuple[int, ...] | None, tuple[Any, Any]] = {}

    def _request(self, shape: tuple[int, ...] | None) -> tuple[Any, Any]:
        if shape not in self._compiled:
            model = self._core.read_model(self._path)
            if shape is not None:
                model.reshape(list(shape))
            compiled = self._core.compile_model(model, "CPU", self._config)
            self._compiled[shape] = (compiled, compiled.create_infer_request())
        return self._compiled[shape]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self._fixed is None:
            compiled, request = self._request(None)
            return request.infer([x])[compiled.output(0)]
        shape = self._fixed(x.shape)
        padded = x
        if shape != x.shape:
            padded = np.full(shape, self._fill, dtype=x.dtype)
            padded[:, :, : x.shape[2], : x.shape[3]] = x
        compiled, request = self._request(shape)
        out = request.infer([padded])[compiled.output(0)]
        if self._fill and out.ndim == 4:  # the detector's map, cut back to the page
            out = out[:, :, : x.shape[2], : x.shape[3]]
        return out


def reader(runtime: str) -> Any:
    """minyi's reader, its two models on ``runtime``."""
    from ingest.ocr.rapid import RapidOcrEngine
    from ingest.options import IngestOptions

    built = RapidOcrEngine(IngestOptions())
    if runtime == "onnxruntime":
        return built
    import openvino
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    core = openvino.Core()
    engine: Any = built._engine
    fixed = runtime == "openvino-fixed"
    # RapidOCR has read the character list from the onnxruntime session; only the inference
    # moves to OpenVINO.
    engine._load_det_model().session = OpenVinoSession(
        core, models / "PP-OCRv6_det_small.onnx", _canvas if fixed else None, 1.0
    )
    engine._load_rec_model().session = OpenVinoSession(
        core, models / "PP-OCRv6_rec_small.onnx", _width if fixed else None, 0.0)  # fmt: skip
    engine(np.full((64, 256, 3), 255, dtype=np.uint8))
    engine.recognize_txt([np.full((48, 160, 3), 255, dtype=np.uint8)])
    return built


def child(runtime: str, folder: Path) -> None:
    """Read every page in ``folder`` as one worker; print the results as JSON."""
    from PIL import Image

    from ingest.ocr.page import read_page
    from minyi import samples

    index = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    engine = reader(runtime)
    results = []
    for entry in index:
        with Image.open(folder / entry["file"]) as opened:
            image = opened.convert("RGB")
        started = time.perf_counter()
        text = read_page(engine, image).text.replace("\n", "").replace(" ", "")
        results.append({"kind": entry["kind"], "seconds": time.perf_counter() - started,
                        "cer": samples.character_error_rate(text, entry["reference"])})  # fmt: skip
    print(json.dumps({"results": results, "peak_mb": peak_mb()}))


def write_pages(folder: Path, dense: int) -> int:
    """The benchmark's pages as PNG files and their reference texts."""
    import ocr_settings

    index = []
    for number, (kind, image, reference) in enumerate(ocr_settings.pages(dense)):
        name = f"{number:03d}-{kind}.png"
        image.save(folder / name)
        index.append({"file": name, "kind": kind, "reference": reference})
    (folder / "pages.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    return len(index)


def run(runtime: str, folder: Path, workers: int) -> list[dict[str, Any]]:
    """``workers`` children at once, and their outputs."""
    children = [subprocess.Popen([sys.executable, __file__, "--child", runtime, str(folder)],
                                 stdout=subprocess.PIPE, text=True) for _ in range(workers)]  # fmt: skip
    outputs = [process.communicate()[0] for process in children]
    for process in children:
        if process.returncode:
            raise SystemExit(f"{runtime}：子进程出错（退出码 {process.returncode}）")
    return [json.loads(out) for out in outputs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dense", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="+", help="runtimes to run (names as printed)")
    parser.add_argument("--child", nargs=2, metavar=("RUNTIME", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    runtimes = {k: v for k, v in RUNTIMES.items() if not args.only or k in args.only}
    try:
        import openvino  # noqa: F401
    except ImportError:
        print("（未安装 openvino：只测 onnxruntime 一行；pip install openvino 后可比）")
        runtimes = {k: v for k, v in runtimes.items() if v == "onnxruntime"}
    folder = Path(tempfile.mkdtemp())
    count = write_pages(folder, args.dense)
    print(f"{count} 页，{args.workers} 个进程同时读，每个进程读全部页面")
    base = None
    for name, runtime in runtimes.items():
        outputs = run(runtime, folder, args.workers)
        by_kind: dict[str, list[dict[str, float]]] = {}
        for output in outputs:
            for result in output["results"]:
                by_kind.setdefault(result["kind"], []).append(result)
        cells = "  ".join(
            f"{kind} {100 * np.mean([r['cer'] for r in rs]):.2f}% "
            f"{np.mean([r['seconds'] for r in rs]):.2f}s"
            for kind, rs in by_kind.items()
        )
        # A worker's seconds a page while the others read too, over the workers reading at once.
        effective = np.mean([r["seconds"] for rs in by_kind.values() for r in rs]) / args.workers
        base = base or effective
        peaks = "/".join(f"{o['peak_mb']:.0f}" for o in outputs)
        print(f"{name}：{cells}")
        print(f"    每页有效 {effective:.3f} 秒（对第一行 {effective / base:.2f}），"
              f"各进程峰值内存 {peaks} MB")  # fmt: skip


if __name__ == "__main__":
    main()
