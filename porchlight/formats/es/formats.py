# Django's Spanish DATETIME_FORMAT, with the zone: "23 de noviembre de 2026 a las 13:30 PST".
DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i T"
# A week's label on a chart's axis (formats/labels.py): day before month, "1 dic".
WEEK_LABEL_FORMAT = "j b"  # Spanish writes the month in lower case
