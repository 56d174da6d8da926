"""Accounts: sign-up, sign-in, roles, invitations, organisations."""
