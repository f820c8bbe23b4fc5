"""English: "Dec 1, 2026" and "Dec 1, 2026, 20:28 KST" (month abbreviated without a dot, no a.m./p.m.)."""

DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "M j, Y, H:i T"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
