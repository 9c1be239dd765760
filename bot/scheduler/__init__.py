"""The scheduler: reminders, notices, digests, escalations and alerts fall due here and reach
people through the notifiers (loop.py), exactly once."""
