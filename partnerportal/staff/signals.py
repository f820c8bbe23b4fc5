"""Signals of staff management, for apps above it that hold credentials of their own (the API's tokens)."""

from django.dispatch import Signal

# Sent inside the transaction that deactivates a staff user (keyword `user`): every credential of theirs must die
# with it, so that a later reactivation brings back none (their sessions and set-password links are ended here).
staff_user_deactivated = Signal()
