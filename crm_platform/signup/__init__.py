"""The public site on the base domain: plans and prices, signup, provisioning progress."""
