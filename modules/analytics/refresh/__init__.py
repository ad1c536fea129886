"""When the analyses run again: changes mark an analysis of their tenant as due, beat runs what is due.

An app of its own in the public schema (``SHARED_APPS``): one row per tenant and analysis, so one
query finds what is due across the fleet. See ``services``.
"""
