"""A child's journal in and out: CSV files a spreadsheet opens (entries, trigger events,
treatments), a JSON file of the whole journal with its possible relapses, and the import of
a family's own files (CSV, .xlsx, .ods, in the exchange format or in their own words), checked
row by row and previewed before anything is written.

columns.py says what each file holds; writing.py makes the files. sheets.py turns an upload
into a table of text; words.py reads a family's words as values; checks.py holds what the
import checks rows into; reading.py reads the days, triggers.py the triggers; review.py says how
they were read and takes the family's changes; plan.py compares the rows with the journal
(what the preview shows).
"""
