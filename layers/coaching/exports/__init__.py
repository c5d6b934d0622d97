"""Exports (issue 17): what goes out of the platform, its schemas, its file formats and its
CRM mappings. Pure rules over rows (plain dicts); the use case (usecases/export_run.py) and
the adapters move the rows."""
