"""The REST API: one FastAPI app, one router per resource; thin over services."""
