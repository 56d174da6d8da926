"""Messages between commissioners and a group about a sent application."""
