"""Each NLU training file parsed once per `rasa train`.

Rasa 3.6 parses every NLU file four times in one training (measured with cProfile): the
command's validation and the training each read the NLU data once for itself and once more
for the domain, which Rasa completes from it. That is about 6 s a time for this project's
data, a tenth of a training. `remember_parsed_files()` keeps each file's parse for
the process, by path, language, size and modification time, so a file changed in between is
parsed again. Keeping it is safe: during training Rasa only merges the parses of the files into
a new TrainingData (TrainingData.merge), which deep-copies their examples, regex features and
lookup tables, so those are never changed; it shares a parse's responses, so a file with
responses (a retrieval intent's answers) is not kept but parsed each time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.shared.nlu.training_data import loading

_parsed: dict[tuple, Any] = {}
_rasas = loading.load_data


def _load_data(resource_name: str, language: str | None = "en") -> Any:
    path = Path(resource_name)
    if not path.is_file():  # a folder, or a name Rasa resolves its own way
        return _rasas(resource_name, language)
    stat = path.stat()
    key = (str(path.resolve()), language, stat.st_size, stat.st_mtime_ns)
    if key in _parsed:
        return _parsed[key]
    data = _rasas(resource_name, language)
    if not data.responses:
        _parsed[key] = data
    return data


def remember_parsed_files() -> None:
    """Make Rasa's loader of NLU training files keep each file's parse (idempotent)."""
    loading.load_data = _load_data
