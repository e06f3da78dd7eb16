"""REST endpoints of this context; thin: parse, call a selector or service, shape the answer."""

from ninja import Router

router = Router(tags=["servicedesk"])
