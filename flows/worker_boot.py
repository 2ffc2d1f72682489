"""Imported by the workers' fork server only, never by the main process: it loads what every worker
needs (the extractors, trafilatura's and py3langid's models) once, so each worker forked from the
server starts with them instead of spending a second on its first article. The loaded objects are
then frozen out of the garbage collector's reach, so that workers keep sharing their memory pages
with the server instead of copying them when a collection walks them."""

import gc

from extractors.articles import warm_up
from flows import workers as _workers  # noqa: F401  (the workers' own module, imported once here)

warm_up()
gc.freeze()
