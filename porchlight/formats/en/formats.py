# Django's English DATETIME_FORMAT ("N j, Y, P"), with the zone: "Nov. 23, 2026, 1:30 p.m. PST".
DATETIME_FORMAT = "N j, Y, P T"
