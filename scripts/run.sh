#!/usr/bin/env bash
# The main job on the embedded default: set up, put sample submissions into inbox/
# if it holds none, process inbox/ into the SQLite registry in data/, and write the
# report to outbox/. When it made the samples itself, it also composes the accepted
# samples into a demonstration issue and renders it print-ready into outbox/ (.docx and
# PDF: set-up installs LibreOffice and the CJK fonts the PDF needs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh samples --pdf
demo=0
if [ -z "$(find inbox -type f ! -name .gitkeep -print -quit 2>/dev/null)" ]; then
  .venv/bin/minyi sample inbox
  demo=1
fi
status=0
.venv/bin/minyi process inbox --report outbox/处理报告.jsonl || status=$?
if [ "$status" != 0 ] && [ "$status" != 3 ]; then
  exit "$status"
fi
if [ "$status" = 3 ]; then
  echo "（退出码 3：处理已完成，但有文件被拒收，原因见上表；样例中故意放了一个损坏的文件。）"
fi
if [ "$demo" = 1 ]; then
  # The accepted, not quarantined samples, each once, in report order.
  ids="$(.venv/bin/python - <<'PY'
import json
seen = []
for line in open("outbox/处理报告.jsonl", encoding="utf-8"):
    entry = json.loads(line)
    if entry["id"] and entry.get("screening") != "quarantined" and entry["id"] not in seen:
        seen.append(entry["id"])
print(" ".join(seen))
PY
)"
  if [ -n "$ids" ]; then
    export MINYI_ISSUE_UNIT="${MINYI_ISSUE_UNIT:-政协××县委员会办公室（样例）}"
    # Only items the reviewer marked 拟采用 may be composed: the demonstration decides so.
    for id in $ids; do
      .venv/bin/minyi review "$id" --decision 拟采用 --by 样例演示 >/dev/null
    done
    # shellcheck disable=SC2086  # the ids are separate arguments
    number="$(.venv/bin/minyi issue new --items $ids)"
    .venv/bin/minyi issue sign "$number" --by 样例签发人 2>/dev/null
    pdf=()
    command -v soffice >/dev/null || pdf=(--no-pdf)
    .venv/bin/minyi issue render "$number" "${pdf[@]}"
    folder="$(find outbox -mindepth 2 -maxdepth 2 -type d -name "第${number}期" | head -n 1)"
    echo "（样例演示：已把样例信息编成一期刊物，Word 与 PDF 在 ${folder:-outbox/} 中。）"
  fi
fi
exit 0
