"""Date formats per language (FORMAT_MODULE_PATH): Django's own, with the time zone added.

Only what differs is here; everything else falls back to django/conf/locale/<lang>/formats.py.
"T" is the zone's abbreviation (PST, CDT, UTC) of the zone the time is shown in.
"""
