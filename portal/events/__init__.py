"""Market-warming events: publishing, registration without an account, waiting lists, reminders."""
