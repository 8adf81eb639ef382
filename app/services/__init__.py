"""Services own transactions, validation, history and permissions."""
