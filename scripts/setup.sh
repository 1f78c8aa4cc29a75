#!/usr/bin/env bash
# Shared set-up for the two README commands: a Python >= 3.11 virtual environment
# in .venv with minyi installed (editable) and the extras named in $1.
# Installs Debian/Ubuntu packages with apt-get where something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-samples}"
system="${2:-}"  # "--system": also the system tools the full test suite uses;
                 # "--pdf": those an issue's PDF needs (LibreOffice, uno, CJK fonts)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "需要管理员权限安装系统软件包：$*" >&2; exit 1; fi
}

apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "缺少系统软件包 $*，且本机没有 apt-get；请手动安装后重试。" >&2; exit 1
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

python_bin="$(find_python || true)"
if [ -z "$python_bin" ]; then
  echo "正在安装 Python 3.11 ……" >&2
  apt_install python3.11 python3.11-venv || apt_install python3 python3-venv
  python_bin="$(find_python)"
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$python_bin" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    version="$("$python_bin" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    apt_install "python${version}-venv" || apt_install python3-venv
    "$python_bin" -m venv .venv
  fi
fi
if [ "$system" = "--system" ] || [ "$system" = "--pdf" ]; then
  # LibreOffice converts .doc/.wps/.rtf/.odt and renders issues to PDF; CJK fonts render the
  # test scans and the issues.
  needed=()
  command -v soffice >/dev/null || needed+=(libreoffice-writer-nogui)
  /usr/bin/python3 -c "import uno" 2>/dev/null || needed+=(python3-uno)
  [ -e /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || needed+=(fonts-noto-cjk)
  if [ "$system" = "--system" ]; then  # the test scans are drawn in it
    [ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || needed+=(fonts-wqy-zenhei)
  fi
  # 楷体 in rendered issues (the PDF font aliases map 楷体 to AR PL UKai).
  [ -e /usr/share/fonts/truetype/arphic/ukai.ttc ] || needed+=(fonts-arphic-ukai)
  if [ "$system" = "--system" ]; then  # the offline-OCR test runs in a network namespace
    command -v unshare >/dev/null || needed+=(util-linux)
    # The PDF tests compare the text read with poppler's pdftotext.
    command -v pdftotext >/dev/null || needed+=(poppler-utils)
    # The desk's browser tests drive Debian's Chromium (never a downloaded browser).
    command -v chromium >/dev/null || needed+=(chromium)
  fi
  if [ "${#needed[@]}" -gt 0 ]; then
    echo "正在安装系统软件包：${needed[*]} ……" >&2
    apt_install "${needed[@]}"
  fi
fi
stamp=".venv/.minyi-installed-$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "正在安装 minyi 及其依赖（首次运行需要几分钟）……" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
  touch "$stamp"
fi
