"""Where an ffmpeg command gets the sound it works on, and the filter chains it puts the sound through.

A `SoundSource` is input arguments, a filter graph over them and the label the sound leaves it at: a film's mix read
straight from its clips (`audio_graph.mix_source`), a file (`file_source`), or the encoded sound another ffmpeg is
writing (`media.soundtrack`). A command takes it on with filters of its own (`argv`), so a mix is encoded or metered
without being written to a file first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shotline.media.intake import FILE_ONLY, input_args, url

Filter = tuple[str, dict[str, str]]
"""An ffmpeg filter: its name and options."""


@dataclass(frozen=True, slots=True)
class SoundSource:
    """Input arguments, a filter graph over them ("" for none), and the label the sound leaves it at."""

    args: tuple[str, ...]
    graph: str
    label: str

    def argv(self, ffmpeg_exe: Path, filters: Sequence[Filter]) -> list[str]:
        """ffmpeg reading the source, its sound through `filters` and mapped to the output that follows."""
        chain = f"[{self.label}]{chain_text(filters) or 'anull'}[out]"
        graph = f"{self.graph};{chain}" if self.graph else chain
        return [str(ffmpeg_exe), "-y", *self.args, "-filter_complex", graph, "-map", "[out]"]


def file_source(path: Path) -> SoundSource:
    """The first sound of a file, read as the export reads files (`media.intake`)."""
    return SoundSource((*input_args(FILE_ONLY), "-i", url(path)), "", "0:a:0")


def chain_text(filters: Sequence[Filter]) -> str:
    """Filters as an ffmpeg filter chain, escaped as ffmpeg's filter graphs want (a path may hold ':' or ',')."""
    return ",".join(_filter_text(name, options) for name, options in filters)


_VALUE_SPECIAL = "\\'=:"
_GRAPH_SPECIAL = "\\'[],;"
"""What ffmpeg reads as syntax in an option's value, then in a filter within a graph (each list starts with the
backslash, so the escapes added for the others are not escaped again)."""


def _filter_text(name: str, options: dict[str, str]) -> str:
    values = ":".join(f"{key}={_escaped(value, _VALUE_SPECIAL)}" for key, value in options.items())
    return _escaped(f"{name}={values}" if values else name, _GRAPH_SPECIAL)


def _escaped(text: str, special: str) -> str:
    for char in special:
        text = text.replace(char, "\\" + char)
    return text
