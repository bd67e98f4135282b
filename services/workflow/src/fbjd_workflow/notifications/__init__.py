"""Enterprise notifications (通知): a channel interface, a webhook implementation, the live count."""
