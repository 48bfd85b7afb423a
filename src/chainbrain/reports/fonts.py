"""Fonts of a Chinese official document (GB/T 9704-2012) and the fallbacks used when they are missing.

GB/T 9704 sets the title in 2号 方正小标宋, the text in 3号 仿宋_GB2312, first-level headings in
黑体, second-level headings in 楷体_GB2312 (third and fourth levels in the text font). These
fonts are commercial and rarely installed on a server, so each role has a list of names, the
official one first, and the first installed one (fontconfig, ``fc-list``) is used; if none is
installed the Noto CJK fonts the project's machines carry (Debian ``fonts-noto-cjk``) stand in:

==========  ==================================================  ========================
role        preferred (in order)                                fallback
==========  ==================================================  ========================
title       方正小标宋简体, FZXiaoBiaoSong-B05S, 方正小标宋_GBK     Noto Serif CJK SC (bold)
body        仿宋_GB2312, 仿宋, FangSong, FangSong_GB2312          Noto Serif CJK SC
heading1    黑体, SimHei                                         Noto Sans CJK SC
heading2    楷体_GB2312, 楷体, KaiTi, AR PL UKai CN              Noto Serif CJK SC
==========  ==================================================  ========================

A Word document names the chosen font in ``w:eastAsia`` (python-docx sets only ``w:ascii`` /
``w:hAnsi``), so Word uses it for the Chinese text. Charts use the heading-1 font's file.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

PREFERRED = {
    "title": ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312"),
    "heading1": ("黑体", "SimHei"),
    "heading2": ("楷体_GB2312", "楷体", "KaiTi", "AR PL UKai CN"),
}
FALLBACK = {"title": "Noto Serif CJK SC", "body": "Noto Serif CJK SC", "heading1": "Noto Sans CJK SC",
            "heading2": "Noto Serif CJK SC"}
#: sizes in points: 2号 22 pt (title), 3号 16 pt (text and headings), 4号 14 pt (page number), 小4 12 pt (tables)
SIZE = {"title": 22, "body": 16, "heading": 16, "page": 14, "table": 10.5}


@functools.lru_cache(maxsize=1)
def installed() -> frozenset:
    """Font family names fontconfig knows (empty without fc-list)."""
    if not shutil.which("fc-list"):
        return frozenset()
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def font(role: str) -> str:
    """The family to use for ``role`` (title, body, heading1, heading2)."""
    have = installed()
    return next((f for f in PREFERRED[role] if f in have), FALLBACK[role])


def fonts() -> dict[str, str]:
    return {r: font(r) for r in PREFERRED}


def css_stack(role: str) -> str:
    """A CSS font-family list: the installed font of ``role`` (:func:`font`), then its fallback.

    Only installed names are listed: fontconfig answers a missing family (e.g. 黑体) with its
    default substitute, which for CJK may be the Japanese face of Noto (Japanese glyph forms)."""
    return ", ".join(f'"{f}"' for f in dict.fromkeys((font(role), FALLBACK[role])))


@functools.lru_cache(maxsize=4)
def font_file(family: str = "Noto Sans CJK SC") -> str | None:
    """The file of ``family`` (for matplotlib), via fc-match; None when unknown."""
    if not shutil.which("fc-match"):
        return None
    out = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                         check=False).stdout.strip()
    return out or None
