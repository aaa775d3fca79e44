"""Dixian engine: definitions, cases, work items, timers and audit trail on SpiffWorkflow.

The engine never imports Flask. Public operations take a SQLAlchemy ``Session`` and leave
the commit to the caller.
"""
