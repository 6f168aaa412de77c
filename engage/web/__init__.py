"""The web floor: everything that knows a request. Blueprints, views, forms, uploads and
downloads, one package per area, registered in ``engage.web.blueprints`` and nowhere else.

Below it are the areas (``engage.<area>``: models, services, emails and jobs), then the core,
then ``surveys`` and ``analysis``; nothing here is imported from below.
"""
