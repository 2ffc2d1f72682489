"""`make bench`: stage-by-stage cost per article, as ratios to trafilatura alone."""
