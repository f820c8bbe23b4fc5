"""The portal's date formats (`FORMAT_MODULE_PATH`): one date and one date-time format per language.

The long and short names are the same format on purpose, so every template's `DATE_FORMAT`,
`SHORT_DATE_FORMAT`, `DATETIME_FORMAT` and `SHORT_DATETIME_FORMAT` read alike on one screen. Times use the 24-hour
clock and every date-time ends with the zone it is shown in (`T`: "KST", "EST", or an offset such as "+04" where
the zone has no abbreviation), since readers sit in different zones. Anything not set here (input formats,
separators) stays Django's for the language.
"""
