"""Presence in a live lesson: attendance policy, challenge schedule, verdicts and decisions."""
