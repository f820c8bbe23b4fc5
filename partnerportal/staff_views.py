"""Staff management pages (global admins)."""
