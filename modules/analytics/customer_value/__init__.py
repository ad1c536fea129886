"""Customer value and loyalty, computed from orders: RFM scores and segments, historical and
predicted customer lifetime value (BG/NBD with Gamma-Gamma), cohort retention and customers at risk.

The customer of an order is its company, or its contact when it has no company; cancelled orders
and orders with neither are left out. Amounts are net of tax in the tenant's base currency.
"""
