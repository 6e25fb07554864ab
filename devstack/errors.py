class StackError(Exception):
    """A problem the user can fix; its message is one line that says what to do."""
