"""Korean: "2026. 12. 01." and "2026. 12. 01. 20:28 KST" (the Korean numeric style, month and day zero-padded so
dates line up in table columns)."""

DATE_FORMAT = "Y. m. d."
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y. m. d. H:i T"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
