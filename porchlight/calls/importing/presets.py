"""Column-mapping presets for public calls-for-service exports.

Column names are the published headers, verbatim; docs/integrators-import.md cites where each
comes from. Where a city changed a header between yearly datasets, both spellings are listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from porchlight.calls.importing.mapping import Mapping, MappingError

# Socrata's CSV export writes "01/01/2017 12:00:14 AM"; its JSON API writes ISO 8601, which
# every preset reads without a pattern.
_SOCRATA_FORMATS = [
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y/%m/%d %I:%M:%S %p",
]

# New Orleans "Calls for Service <year>", data.nola.gov (Orleans Parish Communication District).
NEW_ORLEANS: dict[str, Any] = {
    "columns": {
        "incident_number": "NOPD_Item",
        # "Type_" in 2013-2018, "Type" from 2019; InitialType when the final type is blank.
        "call_type": ["Type", "Type_", "InitialType"],
        "call_type_description": ["TypeText", "InitialTypeText"],
        "priority": ["Priority", "InitialPriority"],
        "disposition": ["Disposition", "DispositionText"],
        "address": "BLOCK_ADDRESS",
        "beat": "Beat",
        "district": "PoliceDistrict",
        # Location ("POINT (lon lat)", or "(lat, lon)" in older exports) is already WGS84;
        # MapX/MapY are Louisiana State Plane South, NAD83, US survey feet.
        "point": "Location",
        "x": "MapX",
        "y": "MapY",
    },
    "times": {
        "received": "TimeCreate",
        "dispatched": "TimeDispatch",
        "onscene": ["TimeArrive", "TimeArrival"],  # "TimeArrival" in 2019
        "cleared": "TimeClosed",
    },
    "time_formats": _SOCRATA_FORMATS,
    "time_zone": "America/Chicago",
    "epsg": 3452,
    "cancelled_dispositions": ["VOI"],  # "VOID"
    "extra": {
        "initial_call_type": "InitialType",
        "initial_priority": "InitialPriority",
        "disposition_text": "DispositionText",
        "self_initiated": "SelfInitiated",
        "zip": "Zip",
    },
}

# San Francisco "Law Enforcement Dispatched Calls for Service: Closed" (2zdj-bwza) and
# "...: Real-Time" (gnap-fj3t), DataSF, Department of Emergency Management.
SAN_FRANCISCO: dict[str, Any] = {
    "columns": {
        "incident_number": "cad_number",
        "call_type": ["call_type_final", "call_type_original"],
        "call_type_description": ["call_type_final_desc", "call_type_original_desc"],
        "priority": ["priority_final", "priority_original"],
        "disposition": "disposition",
        "address": "intersection_name",
        "district": "police_district",
        "point": "intersection_point",  # WKT "POINT (lon lat)"; withheld for sensitive calls
        "report_number": "pd_incident_report",
    },
    "times": {
        "received": "received_datetime",
        "pending": "entry_datetime",  # entered in CAD, waiting for a unit
        "dispatched": "dispatch_datetime",
        "enroute": "enroute_datetime",
        "onscene": "onscene_datetime",
        "cleared": "close_datetime",
    },
    "time_formats": _SOCRATA_FORMATS,
    "time_zone": "America/Los_Angeles",
    "cancelled_dispositions": ["CAN", "22"],
    "extra": {
        "agency": "agency",
        "call_type_original": "call_type_original",
        "priority_original": "priority_original",
        "onview_flag": "onview_flag",
        "sensitive_call": "sensitive_call",
        "dup_cad_number": "dup_cad_number",
        "analysis_neighborhood": "analysis_neighborhood",
        "supervisor_district": "supervisor_district",
    },
}

# Seattle Police "Call Data" (data.seattle.gov 33kz-ixgy, SPD): one row per call that had a
# police response. No cleared time, so calls close at their last time, marked cleared time
# unknown. "Arrived Time" is text, and "Jan 1 1900 12:00:00:000AM" stands for "none": the
# plausible window rejects that event alone. "Call Type" is how the call came in (911, on-view).
SEATTLE: dict[str, Any] = {
    "columns": {
        "incident_number": "CAD Event Number",
        "call_type": ["Final Call Type", "Initial Call Type"],
        "priority": "Priority",
        "disposition": "Event Clearance Description",
        # Not in the dataset's documented columns; read when an export has them.
        "lat": "Blurred_Latitude",
        "lon": "Blurred_Longitude",
        "beat": "Beat",
        "district": "Precinct",
    },
    "times": {"received": "Original Time Queued", "onscene": "Arrived Time"},
    "time_formats": ["%m/%d/%Y %I:%M:%S %p", "%b %d %Y %I:%M:%S:%f%p"],
    "time_zone": "America/Los_Angeles",
    "values": {"priority": {str(n): n for n in range(1, 10)}},
    "cancelled_dispositions": ["DUPLICATED OR CANCELLED BY RADIO"],
    "close_without_cleared_time": "last_time",
    "extra": {
        "initial_call_type": "Initial Call Type",
        "call_source": "Call Type",
        "sector": "Sector",
    },
}

# Los Angeles Police "Calls for Service" (data.lacity.org, LAPD; one dataset a year, e.g. 2015
# is xwgr-xw5q): the dispatch date and time in two columns, and no other time.
LOS_ANGELES: dict[str, Any] = {
    "columns": {
        "incident_number": "Incident_Number",
        "call_type": "Call_Type_Code",
        "call_type_description": "Call_Type_Text",
        "district": "Area_Occ",
        "beat": "Rpt_Dist",
    },
    "times": {"dispatched": {"date": "Dispatch_Date", "time": "Dispatch_Time"}},
    "date_order": "month_first",
    "time_zone": "America/Los_Angeles",
    "close_without_cleared_time": "last_time",
}

PRESETS: dict[str, dict[str, Any]] = {
    "new-orleans": NEW_ORLEANS,
    "san-francisco": SAN_FRANCISCO,
    "seattle": SEATTLE,
    "los-angeles": LOS_ANGELES,
}
GENERIC = "generic"
NAMES = (GENERIC, *PRESETS)


def load(name: str, mapping_path: str | Path | None = None) -> Mapping:
    """The named preset; `generic` reads its mapping from a JSON file. MappingError if unusable."""
    if name == GENERIC:
        if mapping_path is None:
            raise MappingError(
                "the generic preset needs --mapping FILE (see docs/integrators-import.md)"
            )
        try:
            data = orjson.loads(Path(mapping_path).read_bytes())
        except OSError as exc:
            raise MappingError(f"cannot read the mapping file: {exc.strerror or exc}") from None
        except orjson.JSONDecodeError as exc:
            raise MappingError(f"the mapping file is not valid JSON: {exc}") from None
        return Mapping.from_dict(GENERIC, data)
    if mapping_path is not None:
        raise MappingError(f"--mapping is for the generic preset; {name} has its own columns")
    if name not in PRESETS:
        raise MappingError(f"unknown preset {name!r}; choose one of: {', '.join(NAMES)}")
    return Mapping.from_dict(name, PRESETS[name])
