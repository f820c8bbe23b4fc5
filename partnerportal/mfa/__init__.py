"""Multi-factor sign-in: TOTP authenticators, recovery codes, the verification gate and re-authentication."""
