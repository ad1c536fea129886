"""Acting on an analysis: starting one of the tenant's workflows on the records a report's group or
a customer analysis (customers at risk, an RFM segment, a cohort) holds. See ``sets`` for how a
selection's records are found and ``views`` for the pages; the runs themselves belong to
``customization.workflows.selections``."""
