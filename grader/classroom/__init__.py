"""A whole class: ``batch`` (grading many submissions in parallel slots) and ``gradebook``
(the SQLite record of results, and imports)."""
