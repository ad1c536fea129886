"""Pages of the customer record: companies, contacts, the timeline fragment and the global search."""
