# Django's English DATETIME_FORMAT ("N j, Y, P"), with the zone: "Nov. 23, 2026, 1:30 p.m. PST".
DATETIME_FORMAT = "N j, Y, P T"
# A week's label on a chart's axis (formats/labels.py): "Dec 1".
WEEK_LABEL_FORMAT = "M j"
