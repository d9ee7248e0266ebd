"""Outgoing webhooks: an organization's endpoints that receive its domain events, signed."""
