"""History import and the drop folder: export files into CAD intake."""

from porchlight.calls.importing.mapping import Mapping, MappingError
from porchlight.calls.importing.readers import Unreadable
from porchlight.calls.importing.run import ImportResult, run_import

__all__ = ["ImportResult", "Mapping", "MappingError", "Unreadable", "run_import"]
