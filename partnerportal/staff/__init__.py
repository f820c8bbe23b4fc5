"""Staff management: a partner's global admins add, edit, deactivate and reactivate its staff users, and staff
set their password through a one-time link. Services (writes), forms, views and urls of the `staff` namespace."""
