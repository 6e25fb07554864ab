"""Plumbing every Union Match application shares, and nothing else: no domain code lives here.
The list of modules is closed; today it holds `request_limits` (the bounds of every request)."""
