"""HTML user interface of the case service: views, forms and URL routes.

Views here call only the service layer (``riskroute.cases.services``), so that audit logging and
field encryption can be added there without touching any page.
"""
