"""Alert rules, incidents, the outbox and delivery channels."""
