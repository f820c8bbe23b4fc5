"""Relationship pages: invitations, acceptance, end and restore, partnerships, import."""
