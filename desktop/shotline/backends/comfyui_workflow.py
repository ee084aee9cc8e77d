"""A ComfyUI workflow filled with a shot: the API-format graph read and checked, and the shot's values put in.

The creator's workflow (exported with "Export (API)", else the shipped Wan 2.1 example) names what it wants as
`{{prompt}}`-style placeholders in its string inputs or through `options["mapping"]` (`{"prompt": "6.text"}`, node
id and input name). This reads and checks the graph and the mapping, works out the shot's values (prompt, seed,
size, frames, images) and puts them in, typed and snapped as each node's `/object_info` spec asks. Talking to the
server (nodes, uploads, the queue, history) is backends.comfyui's.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from shotline.core.errors import InputRejected
from shotline.core.ports import GenerationRequest
from shotline.resources import resource

MAX_REFERENCE_IMAGES = 4

Workflow = dict[str, dict[str, Any]]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_IMAGE_NAMES = ("first_frame", "last_frame", *(f"reference_image_{n}" for n in range(1, MAX_REFERENCE_IMAGES + 1)))
VALUE_NAMES = ("prompt", "negative_prompt", "seed", "width", "height", "frames", "fps", "duration", *_IMAGE_NAMES)
"""What a workflow can ask for, as `{{name}}` or as a key of `options["mapping"]`."""


def load_workflow(source: Any) -> Workflow:
    """The API-format workflow from a path (or an inline mapping); the shipped example when none is given."""
    if source is None or source == "":
        path = resource("comfyui", "text-to-video.json")
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    elif isinstance(source, Mapping):
        data, path = copy.deepcopy(dict(source)), None
    else:
        path = Path(str(source)).expanduser()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputRejected(f"The ComfyUI workflow {str(path)!r} does not exist; choose the file again.") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputRejected(f"The ComfyUI workflow {str(path)!r} could not be read as JSON ({exc}).") from None
    where = f" {path.name}" if path is not None else ""
    if isinstance(data, dict) and "nodes" in data and "links" in data:
        raise InputRejected(
            f"The workflow{where} is in ComfyUI's editor format. In ComfyUI choose Workflow → Export (API) and "
            "pick that file instead."
        )
    if not isinstance(data, dict) or not data:
        raise InputRejected(f"The workflow{where} is not an API-format ComfyUI workflow (a JSON object of nodes).")
    for node_id, node in data.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            raise InputRejected(
                f"Node {node_id!r} of the workflow{where} has no class_type; export it with Workflow → Export (API)."
            )
        if not isinstance(node.get("inputs", {}), dict):
            raise InputRejected(f"Node {node_id!r} of the workflow{where} has malformed inputs.")
        node.setdefault("inputs", {})
    return {str(node_id): node for node_id, node in data.items()}


def placeholders(workflow: Workflow) -> set[str]:
    """The `{{name}}`s the workflow's string inputs ask for."""
    found: set[str] = set()
    for node in workflow.values():
        for value in node["inputs"].values():
            if isinstance(value, str):
                found.update(_PLACEHOLDER.findall(value))
    return found


def fill(
    workflow: Workflow,
    values: Mapping[str, Any],
    mapping: Mapping[str, list[tuple[str, str]]],
    node_defs: Mapping[str, Mapping[str, Any]],
) -> Workflow:
    """A copy of the workflow with the shot's values in its placeholders and mapped inputs."""
    filled = copy.deepcopy(workflow)
    for node in filled.values():
        spec = node_inputs(node_defs.get(str(node["class_type"]), {}))
        inputs = node["inputs"]
        for name, value in inputs.items():
            if isinstance(value, str) and _PLACEHOLDER.search(value):
                inputs[name] = _substitute(value, values, spec.get(name))
    for key, targets in mapping.items():
        for node_id, name in targets:
            node = filled[node_id]
            spec = node_inputs(node_defs.get(str(node["class_type"]), {}))
            node["inputs"][name] = _typed(values[key], spec.get(name))
    return filled


def _substitute(text: str, values: Mapping[str, Any], spec: Any) -> Any:
    whole = _PLACEHOLDER.fullmatch(text.strip())
    if whole is not None:
        return _typed(values[whole.group(1)], spec)
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def _typed(value: Any, spec: Any) -> Any:
    """The value as the input wants it: a string for text, an int snapped to the node's min/step for INT."""
    kind = spec[0] if isinstance(spec, list | tuple) and spec else None
    options = spec[1] if isinstance(spec, list | tuple) and len(spec) > 1 and isinstance(spec[1], dict) else {}
    if kind == "STRING":
        return str(value)
    if kind == "INT" and isinstance(value, int | float | Fraction):
        return _snap(round(value), options)
    if kind == "FLOAT" and isinstance(value, int | float | Fraction):
        return float(value)
    return value


def _snap(value: int, options: Mapping[str, Any]) -> int:
    low = int(options.get("min", 0) or 0)
    step = int(options.get("step", 1) or 1)
    if step > 1:
        value = low + round((value - low) / step) * step
    if "min" in options:
        value = max(value, int(options["min"]))
    if "max" in options:
        value = min(value, int(options["max"]))
    return value


def node_inputs(node_def: Mapping[str, Any]) -> dict[str, Any]:
    """A node's declared inputs, required and optional, from its `/object_info` entry: name → spec."""
    declared = node_def.get("input", {})
    if not isinstance(declared, dict):
        return {}
    merged: dict[str, Any] = {}
    for group in ("required", "optional"):
        if isinstance(declared.get(group), dict):
            merged.update(declared[group])
    return merged


def checked_mapping(raw: Any, workflow: Workflow) -> dict[str, list[tuple[str, str]]]:
    """`options["mapping"]` checked: value name → [(node id, input name)…]."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputRejected('The ComfyUI mapping must look like {"prompt": "6.text"} (value → node.input).')
    mapping: dict[str, list[tuple[str, str]]] = {}
    for key, targets in raw.items():
        if key not in VALUE_NAMES:
            raise InputRejected(f"The ComfyUI mapping names {key!r}; Shotline fills {', '.join(VALUE_NAMES)}.")
        for target in [targets] if isinstance(targets, str) else list(targets):
            node_id, dot, name = str(target).rpartition(".")
            if not dot or not node_id or not name:
                raise InputRejected(
                    f"The ComfyUI mapping for {key} is {target!r}; write it as node id.input, e.g. 6.text."
                )
            if node_id not in workflow:
                raise InputRejected(f"The ComfyUI mapping sends {key} to node {node_id!r}, which the workflow lacks.")
            mapping.setdefault(str(key), []).append((node_id, name))
    return mapping


def shot_images(request: GenerationRequest, wanted: set[str]) -> dict[str, Path]:
    """The images the shot gives, each checked to have a place in the workflow and the workflow to get each one."""
    given: dict[str, str] = {}
    if request.first_frame:
        given["first_frame"] = request.first_frame
    if request.last_frame:
        given["last_frame"] = request.last_frame
    for number, image in enumerate(request.reference_images, start=1):
        given[f"reference_image_{number}"] = image
    unknown = sorted(wanted - set(VALUE_NAMES))
    if unknown:
        raise InputRejected(
            f"The workflow asks for {', '.join('{{' + n + '}}' for n in unknown)}, which Shotline does not know; "
            f"it fills {', '.join('{{' + n + '}}' for n in VALUE_NAMES)}."
        )
    if "prompt" not in wanted:
        raise InputRejected(
            "The workflow has no place for the prompt: write {{prompt}} in the positive text node's text, or map "
            'it with {"prompt": "<node id>.text"}.'
        )
    for name, path in given.items():
        if name not in wanted:
            raise InputRejected(
                f"The shot has a {name.replace('_', ' ')} but the workflow has no input for it; put {{{{{name}}}}} "
                "in a LoadImage node's image, or choose a workflow that takes one."
            )
        if not Path(path).is_file():
            raise InputRejected(f"The image {path!r} for the {name.replace('_', ' ')} is missing; choose it again.")
    for name in sorted(wanted & set(_IMAGE_NAMES)):
        if name not in given:
            raise InputRejected(
                f"The workflow needs a {name.replace('_', ' ')} ({{{{{name}}}}}); add one to the shot, or choose a "
                "text-to-video workflow."
            )
    return {name: Path(path) for name, path in given.items()}


def shot_values(request: GenerationRequest) -> dict[str, Any]:
    """The shot's values a workflow can ask for, but the images (those are uploaded first, then named)."""
    fps = request.fps
    if request.options.get("fps"):
        try:
            fps = Fraction(str(request.options["fps"]))
        except (ValueError, ZeroDivisionError):
            fps = Fraction(0)
        if not 0 < fps <= 240:
            raise InputRejected(
                f"The ComfyUI frame rate {request.options['fps']!r} is not a number of frames a second."
            )
    seconds = Fraction(request.duration_us, 1_000_000)
    return {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        # a workflow always runs with some seed; ComfyUI's own "randomize" picks one the same way
        "seed": request.seed if request.seed is not None else random.randrange(2**32),
        "width": request.size.width,
        "height": request.size.height,
        "frames": max(1, round(seconds * fps)),
        "fps": int(fps) if fps.denominator == 1 else round(float(fps), 3),
        "duration": float(seconds),
    }
