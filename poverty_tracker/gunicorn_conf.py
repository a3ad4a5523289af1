"""gunicorn's settings for this app, read by the image, docker-compose.yml and ``make load``
(``gunicorn -c python:poverty_tracker.gunicorn_conf ...``; flags on the command line still win).

A worker imports Django, the app and their libraries once, and keeps those objects for its whole life.
Python's cyclic garbage collector still walked all of them at each full collection: about 120 ms in
which none of the worker's threads served a request, and 7% of the CPU over a mix of officials' pages
(3% with them frozen, measured in one process over 160 requests). ``gc.freeze()`` once the worker has
loaded the app moves them out of the collector's sight; what requests allocate is collected as before.
"""

import gc

wsgi_app = "poverty_tracker.wsgi:application"


def post_worker_init(worker):
    gc.freeze()
