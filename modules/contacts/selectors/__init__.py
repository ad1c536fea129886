"""Reads for the customer-record pages: lists, the timeline and the global search."""
