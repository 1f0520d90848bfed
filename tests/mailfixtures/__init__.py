"""Real mail servers for the mail tests (aiosmtpd, Dovecot) and the messages they hold."""
