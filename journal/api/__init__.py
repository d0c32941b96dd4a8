"""The journal for other software: a REST API under /api/v1/, personal access tokens, and the
journal as HL7 FHIR R4.

What it may call: access.py (who may see and change which child), queries.py (the reads the pages
make), forms.py and services.py (the writes, with their messages, bounds, versions and change
history), trends.py (where a child stands). It never writes the ORM around the services, so a day
logged through the API is checked and recorded exactly as one logged on the page.

- `authentication`: tokens in the Authorization header; `access`: what a request may do to which
  child (never more than its owner on the web); `throttling`: the per-token rate limit.
- `serializers`, `views`, `urls`: the REST API; `days` and `records`: its writes, bound to the
  pages' forms and saved by their services (`record_views`: the events', courses' and items'
  views); `fhir`: the FHIR Bundle of a child's journal.
- `tokens`: making and revoking tokens; `pages`: the account pages that do so.
"""
