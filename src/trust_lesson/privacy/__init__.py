"""The privacy duties: account deletion, retention, export of one's own data (R24-R26)."""
