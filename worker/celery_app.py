"""The worker's entry point: ``celery -A worker.celery_app worker``.

Only this module builds an app; task modules never do, so importing them stays cheap.
"""

from engage import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
celery_app.autodiscover_tasks(["worker"], related_name="tasks", force=True)
celery_app.autodiscover_tasks(["worker"], related_name="reports", force=True)
