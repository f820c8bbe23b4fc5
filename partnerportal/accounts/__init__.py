"""Signing in and staying signed in: sessions tied to their user, lockout, sign-in events in the activity log."""
