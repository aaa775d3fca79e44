"""The case page has no input forms; uploads happen on the task page."""
