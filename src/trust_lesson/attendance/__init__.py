"""Attendance: decisions from the presence timeline, the live roster, reviews, course policy."""
