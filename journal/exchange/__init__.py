"""A child's journal in and out: CSV files a spreadsheet opens (entries, trigger events,
treatments), a JSON file of the whole journal with its possible relapses, and the import of
entries and events from CSV, checked row by row and previewed before anything is written.

columns.py says what each file holds; writing.py makes the files; reading.py turns uploaded
CSV into checked rows; plan.py compares those rows with the journal (what the preview shows).
"""
