"""Accounts, sessions and roles of the console."""
